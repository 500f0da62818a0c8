import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../../application/ports/clock.ts';
import { RebuildLockedError } from '../../application/ports/rebuildTarget.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { type RebuildOptions, rebuildProjections } from '../../projections/rebuildProjections.ts';
import { eventStoreFor, whenReady } from '../journey/adapters.ts';
import type { RebuildWorkerMessage } from './rebuildInThreads.ts';
import { type RebuildableProjection, rebuildTargetOf } from './rebuildTargets.ts';

/**
 * A worker thread that rebuilds some projections with its own connections (the store it
 * replays, the read-model files it writes), reporting progress and the outcome to the
 * main thread (rebuildInThreads.ts).
 */
const { config, names, options } = workerData as {
  config: JourneyConfig;
  names: RebuildableProjection[];
  options: Omit<RebuildOptions, 'onProgress'>;
};
const port = parentPort;
if (!port) throw new Error('rebuildWorker.ts runs as a worker thread only');
const post = (message: RebuildWorkerMessage) => port.postMessage(message);

const eventStore = eventStoreFor(config);
const targets = names.map((name) => rebuildTargetOf(config, name, systemClock));
try {
  await whenReady(eventStore);
  const outcomes = await rebuildProjections(eventStore, targets, {
    ...options,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'done', outcomes });
} catch (error) {
  post({
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
    ...(error instanceof RebuildLockedError ? { locked: { projection: error.projection, holder: error.holder } } : {}),
  });
} finally {
  for (const target of targets) await target.close();
  await eventStore.close();
  port.close();
}
