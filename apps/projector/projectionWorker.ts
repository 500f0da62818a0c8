import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../../application/ports/clock.ts';
import { positionToString } from '../../application/ports/eventStore/eventStore.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { createLogger } from '../../infrastructure/logging/createLogger.ts';
import { eventStoreFor, whenReady } from '../journey/adapters.ts';
import { leaseHolder } from '../journey/leaseHolder.ts';
import { readSideFor } from '../journey/readSideFor.ts';
import { journeyProjection, type ProjectionName } from './journeyProjections.ts';
import { LeasedProjection, projectionRun } from './leasedProjection.ts';
import type { WorkerMessage } from './workerProjection.ts';

/**
 * A worker thread that runs one projection with its own connections: the store it reads
 * and the read models it writes. It holds the projection's lease itself (so the lease's
 * renewals and the fenced writes share this thread's fate), reports each checkpoint to the
 * main thread and stops when told to.
 */
const { config, name } = workerData as { config: JourneyConfig; name: ProjectionName };
const port = parentPort;
if (!port) throw new Error('projectionWorker.ts runs as a worker thread only');
const post = (message: WorkerMessage) => port.postMessage(message);

const eventStore = eventStoreFor(config);
await whenReady(eventStore);
const readSide = readSideFor(config, `${name} projection`);
// the unfenced one: its checkpoint for the main thread, and (SQLite) the store every grant writes
const readModels = readSide.readModels(name);
const leases = readSide.leases();
const logger = createLogger(config, `journey-${name}`);
const projection = journeyProjection(config, name);
const running = new LeasedProjection(
  {
    name,
    streamPrefix: projection.streamPrefix,
    leases,
    clock: systemClock,
    holder: leaseHolder('projector'),
    ttlMs: config.JOURNEY_LEASE_TTL_MS,
    logger,
  },
  (grant, onApplied) =>
    projectionRun(
      eventStore,
      (fence) => {
        if (config.JOURNEY_DATABASE_URL === undefined) return { store: readModels, close: async () => undefined };
        const fenced = readSide.readModels(name, fence);
        return { store: fenced, close: () => fenced.close() };
      },
      projection,
      { logger },
    )(grant, (position) => {
      onApplied(position);
      post({ type: 'applied', position: positionToString(position) });
    }),
);
const initial = await readModels.readCheckpoint(projection.name);
if (initial) post({ type: 'applied', position: positionToString(initial) });
running.start();
post({ type: 'ready' });

port.on('message', async (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  await running.stop();
  await leases.close();
  await readModels.close();
  await readSide.close();
  await eventStore.close();
  post({ type: 'stopped' });
  port.close();
});
