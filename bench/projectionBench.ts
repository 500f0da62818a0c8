import { join } from 'node:path';
import { silentLogger } from '../application/ports/logger.ts';
import { eventStoreFor } from '../apps/journey/adapters.ts';
import { journeyProjection, readModelFileOf } from '../apps/projector/journeyProjections.ts';
import { Projector } from '../apps/projector/projector.ts';
import { WorkerProjection } from '../apps/projector/workerProjection.ts';
import { JOURNEY_STREAM_PREFIX } from '../domain/journey/journeyEvent.ts';
import { loadConfig } from '../infrastructure/config/config.ts';
import { SqliteReadModels } from '../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import { ProjectionRunner } from '../projections/projectionRunner.ts';
import { perSecond } from './stats.ts';
import { removeDatabase } from './tempFiles.ts';

/**
 * Projection catch-up over a filled SQLite event store into fresh read models, the way a new
 * projector starts (the store comes from rebuildBench.ts's prepareRebuildStore).
 */

export type CatchUpRun = { readonly eventsPerSecond: number; readonly applied: number; readonly seconds: number };

/**
 * The projector as `journey start` runs it: the users projection in this thread, the timeline
 * (and the sessions) in a worker thread each, all from a fresh checkpoint; timed until all have
 * applied the store's last event.
 */
export const runCatchUp = async (
  source: { readonly dataDir: string; readonly count: number },
  options: {
    /** leave the read models for queries (else they are removed for the next round) */ readonly keep?: boolean;
    /** the sessions projection too, in a worker thread of its own, as `journey start` runs it */
    readonly sessions?: boolean;
    /** the sessions projection alone, without the journey projections (where its time goes) */
    readonly sessionsAlone?: boolean;
  } = {},
): Promise<CatchUpRun> => {
  const config = loadConfig({ JOURNEY_DATA_DIR: source.dataDir, LOG_LEVEL: 'warn' });
  const eventStore = eventStoreFor(config);
  const users = new SqliteReadModels(readModelFileOf(config, 'users'), {
    windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
  });
  const sessionsFile = join(source.dataDir, 'sessions.db');
  const sessions = options.sessions || options.sessionsAlone;
  try {
    if (!(await eventStore.headPosition({ streamPrefix: JOURNEY_STREAM_PREFIX })))
      throw new Error('the projection store is empty');
    const projector = new Projector([
      ...(options.sessionsAlone
        ? []
        : [
            new ProjectionRunner(eventStore, users, journeyProjection(config, 'users')),
            new WorkerProjection(config, 'timeline', silentLogger),
          ]),
      ...(sessions ? [new WorkerProjection(config, 'sessions', silentLogger)] : []),
    ]);
    const start = performance.now();
    projector.start();
    await projector.waitForHeads(eventStore);
    const end = performance.now();
    await projector.stop();
    return {
      eventsPerSecond: perSecond(source.count, start, end),
      applied: source.count,
      seconds: (end - start) / 1000,
    };
  } finally {
    await users.close();
    await eventStore.close();
    if (sessions) await removeDatabase(sessionsFile);
    if (!options.keep)
      for (const name of ['users', 'timeline'] as const) await removeDatabase(readModelFileOf(config, name));
  }
};
