import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ANY } from '../application/eventStore.ts';
import { silentLogger } from '../application/logger.ts';
import { eventStoreFor } from '../apps/all/adapters.ts';
import { journeyProjection, readModelFileOf } from '../apps/projector/journeyProjections.ts';
import { Projector } from '../apps/projector/projector.ts';
import { WorkerProjection } from '../apps/projector/workerProjection.ts';
import { JOURNEY_STREAM_PREFIX } from '../domain/journey/journeyEvent.ts';
import { loadConfig } from '../infrastructure/config/config.ts';
import { SqliteEventStore } from '../infrastructure/sqlite/sqliteEventStore.ts';
import { SqliteReadModels } from '../infrastructure/sqlite/sqliteReadModels.ts';
import { ProjectionRunner } from '../projections/projectionRunner.ts';
import type { JourneyDelivery } from './eventFactory.ts';
import { perSecond } from './stats.ts';
import { removeDatabase, type TempFiles } from './tempFiles.ts';

/**
 * Projection catch-up over a filled SqliteEventStore into fresh read models, the way a new
 * projector (or a rebuild) starts.
 */

export type ProjectionStore = {
  readonly dataDir: string;
  readonly file: string;
  readonly store: SqliteEventStore;
  readonly count: number;
};

export type CatchUpRun = { readonly eventsPerSecond: number; readonly applied: number };

/**
 * Writes the journey events with `append`, one delivery at a time and all of a delivery's
 * streams at once, as the mapper does; each run then reads the same store.
 */
export const prepareProjectionStore = async (
  files: TempFiles,
  deliveries: readonly JourneyDelivery[],
): Promise<ProjectionStore> => {
  const dataDir = files.file('projector');
  await mkdir(dataDir);
  const file = join(dataDir, 'events.db');
  const store = new SqliteEventStore(file);
  let count = 0;
  for (const delivery of deliveries) {
    await Promise.all(
      [...delivery].map(([streamId, events]) => {
        count += events.length;
        return store.append(streamId, events, { expectedRevision: ANY });
      }),
    );
  }
  return { dataDir, file, store, count };
};

/**
 * The projector as `journey start` runs it: the users projection in this thread and the
 * timeline in a worker thread, both from a fresh checkpoint; timed until both have applied
 * the store's last event.
 */
export const runCatchUp = async (source: ProjectionStore): Promise<CatchUpRun> => {
  const config = loadConfig({ JOURNEY_DATA_DIR: source.dataDir, LOG_LEVEL: 'warn' });
  const eventStore = eventStoreFor(config);
  const users = new SqliteReadModels(readModelFileOf(config, 'users'));
  try {
    const head = await eventStore.headPosition({ streamPrefix: JOURNEY_STREAM_PREFIX });
    if (!head) throw new Error('the projection store is empty');
    const projector = new Projector([
      new ProjectionRunner(eventStore, users, journeyProjection(config, 'users')),
      new WorkerProjection(config, 'timeline', silentLogger),
    ]);
    const start = performance.now();
    projector.start();
    await projector.waitFor(head);
    const end = performance.now();
    await projector.stop();
    return { eventsPerSecond: perSecond(source.count, start, end), applied: source.count };
  } finally {
    await users.close();
    await eventStore.close();
    for (const name of ['users', 'timeline'] as const) await removeDatabase(readModelFileOf(config, name));
  }
};
