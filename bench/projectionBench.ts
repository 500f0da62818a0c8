import { ANY } from '../application/eventStore.ts';
import { SqliteEventStore } from '../infrastructure/sqlite/sqliteEventStore.ts';
import { SqliteReadModels } from '../infrastructure/sqlite/sqliteReadModels.ts';
import { DEFAULT_MEANINGFUL_EVENTS, journeyProjection } from '../projections/journey/journeyProjection.ts';
import { ProjectionRunner } from '../projections/projectionRunner.ts';
import type { JourneyDelivery } from './eventFactory.ts';
import { perSecond } from './stats.ts';
import { removeDatabase, type TempFiles } from './tempFiles.ts';

/**
 * Projection catch-up: `ProjectionRunner.catchUp()` of the journey projection over a filled
 * SqliteEventStore into fresh SqliteReadModels, the way a new projector (or a rebuild) starts.
 */

export type ProjectionStore = { readonly file: string; readonly store: SqliteEventStore; readonly count: number };

export type CatchUpRun = { readonly eventsPerSecond: number; readonly applied: number };

/**
 * Writes the journey events with `append`, one delivery at a time and all of a delivery's
 * streams at once, as the mapper does; each run then reads the same store.
 */
export const prepareProjectionStore = async (
  files: TempFiles,
  deliveries: readonly JourneyDelivery[],
): Promise<ProjectionStore> => {
  const file = files.file('projection-events.db');
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
  return { file, store, count };
};

export const runCatchUp = async (files: TempFiles, source: ProjectionStore): Promise<CatchUpRun> => {
  const file = files.file('projection-readmodels.db');
  const readModels = new SqliteReadModels(file);
  try {
    const runner = new ProjectionRunner(
      source.store,
      readModels,
      journeyProjection(new Set(DEFAULT_MEANINGFUL_EVENTS)),
    );
    const start = performance.now();
    const applied = await runner.catchUp();
    const end = performance.now();
    if (applied !== source.count) throw new Error(`catch-up applied ${applied} of ${source.count} events`);
    return { eventsPerSecond: perSecond(applied, start, end), applied };
  } finally {
    await readModels.close();
    await removeDatabase(file);
  }
};
