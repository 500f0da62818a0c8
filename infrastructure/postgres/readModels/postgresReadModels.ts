import type pg from 'pg';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import { ReadModelsFacade } from '../../../application/ports/readModels/readModelsFacade.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { PostgresReadModelQueries } from './postgresReadModelQueries.ts';
import { PostgresReadModelStore } from './postgresReadModelStore.ts';
import { ensureReadModelIndexes } from './readModelIndexes.ts';
import { ensureStageWindow } from './stageWindow.ts';

/** the opening checks made on each pool, by window: made once, a failed one made again */
const checked = new WeakMap<pg.Pool, Map<string, Promise<void>>>();

export type PostgresReadModelsOptions = {
  /** the window W (`JOURNEY_ACTIVE_WINDOW_DAYS`) to keep the stage deltas for; unset: the database's */
  readonly windowDays?: number;
  /** the lease of the projection writing through it: its batches are refused once another replica took over */
  readonly fence?: LeaseGrant;
};

/**
 * Read models in PostgreSQL (schema `journey`, migration 002), both ports over one pool that
 * the caller owns and ends after `close`. Open with `PostgresReadModels.open`, after `migrate`.
 * Projections may share one; a bulk load serves one projection per instance.
 */
export class PostgresReadModels extends ReadModelsFacade {
  protected override readonly store: PostgresReadModelStore;
  protected override readonly queries: PostgresReadModelQueries;
  private closed = false;

  private constructor(pool: pg.Pool, fence: LeaseGrant | undefined) {
    super();
    const url = pool.options.connectionString;
    this.store = new PostgresReadModelStore(pool, url, 'journey', fence);
    this.queries = new PostgresReadModelQueries(pool, url);
  }

  /** derives the stage deltas again when the database keeps them for another window */
  static async open(pool: pg.Pool, options: PostgresReadModelsOptions = {}): Promise<PostgresReadModels> {
    const key = String(options.windowDays);
    const checks = checked.get(pool) ?? new Map<string, Promise<void>>();
    checked.set(pool, checks);
    // once per pool and window: a process opens one instance per projection and per query side
    let done = checks.get(key);
    if (done === undefined) {
      done = (async () => {
        await ensureStageWindow(pool, options.windowDays);
        // a bulk load that never ended (a crash) left some out
        await ensureReadModelIndexes(pool);
      })();
      checks.set(key, done);
      done.catch(() => checks.delete(key));
    }
    await done;
    return new PostgresReadModels(pool, options.fence);
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
  }

  protected override assertOpen(): void {
    if (this.closed) throw new UnavailableError('the PostgreSQL read models are closed; open new PostgresReadModels');
  }
}
