import { parentPort, workerData } from 'node:worker_threads';
import { positionToString } from '../../application/ports/eventStore/eventStore.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { createLogger } from '../../infrastructure/logging/createLogger.ts';
import { ProjectionRunner } from '../../projections/projectionRunner.ts';
import { eventStoreFor, whenReady } from '../journey/adapters.ts';
import { readSideFor } from '../journey/readSideFor.ts';
import { journeyProjection, type ProjectionName } from './journeyProjections.ts';
import type { WorkerMessage } from './workerProjection.ts';

/**
 * A worker thread that runs one projection with its own connections: the store it reads
 * and the read models it writes. It reports each checkpoint to the main thread and
 * stops when told to.
 */
const { config, name } = workerData as { config: JourneyConfig; name: ProjectionName };
const port = parentPort;
if (!port) throw new Error('projectionWorker.ts runs as a worker thread only');
const post = (message: WorkerMessage) => port.postMessage(message);

const eventStore = eventStoreFor(config);
await whenReady(eventStore);
const readSide = readSideFor(config, `${name} projection`);
const readModels = readSide.readModels(name);
const projection = journeyProjection(config, name);
const runner = new ProjectionRunner(eventStore, readModels, projection, {
  logger: createLogger(config, `journey-${name}`),
  onApplied: (position) => post({ type: 'applied', position: positionToString(position) }),
});
const initial = await readModels.readCheckpoint(projection.name);
if (initial) post({ type: 'applied', position: positionToString(initial) });
runner.start();

port.on('message', async (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  await runner.stop();
  await readModels.close();
  await readSide.close();
  await eventStore.close();
  post({ type: 'stopped' });
  port.close();
});
