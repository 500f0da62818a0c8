import type pg from 'pg';
import { connectPostgres } from './connectPostgres.ts';
import { migrate } from './migrations/migrate.ts';
import { migrations } from './migrations/migrations.ts';

export type PostgresReadSideOptions = {
  readonly url: string;
  readonly poolSize: number;
  /** shown in pg_stat_activity: which Journey process holds a connection */
  readonly applicationName: string;
};

/**
 * One process's connection to the shared read side: a pool, tried once, and the schema brought
 * to this code's version (under an advisory lock, so replicas starting together migrate once).
 * Opened on first use and shared by every adapter of the process; `close` ends the pool.
 */
export class PostgresReadSide {
  private opened: Promise<pg.Pool> | undefined;

  constructor(private readonly options: PostgresReadSideOptions) {}

  pool(): Promise<pg.Pool> {
    this.opened ??= (async () => {
      const pool = await connectPostgres({
        url: this.options.url,
        poolSize: this.options.poolSize,
        applicationName: this.options.applicationName,
      });
      try {
        await migrate(pool, migrations);
      } catch (error) {
        await pool.end().catch(() => undefined);
        throw error;
      }
      return pool;
    })().catch((error: unknown) => {
      // tried again on the next call: a worker thread that starts while the server is down recovers
      this.opened = undefined;
      throw error;
    });
    return this.opened;
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened.catch(() => undefined))?.end();
  }
}
