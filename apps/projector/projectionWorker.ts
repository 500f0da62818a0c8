import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../../application/ports/clock.ts';
import { positionToString } from '../../application/ports/eventStore/eventStore.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { createLogger } from '../../infrastructure/logging/createLogger.ts';
import { eventStoreFor, whenReady } from '../journey/adapters.ts';
import { leaseHolder } from '../journey/leaseHolder.ts';
import { readSideFor } from '../journey/readSideFor.ts';
import { LeasedProjection } from './leasedProjection.ts';
import type { WorkerMessage } from './workerProjection.ts';
import { type WorkerProjectionName, workerProjectionRun } from './workerProjectionRun.ts';

/**
 * A worker thread that runs one projection with its own connections: the store it reads
 * and the read model it writes. It holds the projection's lease itself (so the lease's
 * renewals and the fenced writes share this thread's fate), reports each checkpoint to the
 * main thread and stops when told to.
 */
const { config, name } = workerData as { config: JourneyConfig; name: WorkerProjectionName };
const port = parentPort;
if (!port) throw new Error('projectionWorker.ts runs as a worker thread only');
const post = (message: WorkerMessage) => port.postMessage(message);

const eventStore = eventStoreFor(config);
await whenReady(eventStore);
const readSide = readSideFor(config, `${name} projection`);
const leases = readSide.leases();
const logger = createLogger(config, `journey-${name}`);
const run = workerProjectionRun(config, name, eventStore, readSide, logger);
const running = new LeasedProjection(
  {
    name: run.name,
    streamPrefix: run.streamPrefix,
    leases,
    clock: systemClock,
    holder: leaseHolder('projector'),
    ttlMs: config.JOURNEY_LEASE_TTL_MS,
    logger,
  },
  (grant, onApplied) =>
    run.open(grant, (position) => {
      onApplied(position);
      post({ type: 'applied', position: positionToString(position) });
    }),
);
const initial = await run.own.readCheckpoint(run.name);
if (initial) post({ type: 'applied', position: positionToString(initial) });
running.start();
post({ type: 'ready' });

port.on('message', async (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  await running.stop();
  await leases.close();
  await run.own.close();
  await readSide.close();
  await eventStore.close();
  post({ type: 'stopped' });
  port.close();
});
