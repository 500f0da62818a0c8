import type pg from 'pg';
import { ADVISORY_LOCKS } from '../advisoryLocks.ts';

/**
 * The read models' secondary indexes, which queries need and writes do not: a bulk load drops
 * them and builds them once at the end. The same definitions as migration 002 (a spec checks).
 */
export const READ_MODEL_INDEXES = [
  { name: 'timeline_by_user_time', sql: 'ON journey.timeline (user_id, occurred_at, seq)' },
  { name: 'users_by_signup', sql: 'ON journey.users (signed_up_at)' },
  { name: 'users_by_email', sql: 'ON journey.users (lower(email), user_id)' },
] as const;

/** two processes opening at once build an index once; a key of its own, so no writer waits on a build */
const INDEX_LOCK = ADVISORY_LOCKS.indexBuild;

/** `schema`: the live `journey`, or a rebuild's shadow schema (whose tables hold the same index names) */
export const dropReadModelIndexes = async (pool: pg.Pool, schema = 'journey'): Promise<void> => {
  for (const { name } of READ_MODEL_INDEXES) await pool.query(`DROP INDEX IF EXISTS ${schema}.${name}`);
};

/** builds the indexes missing (after a bulk load, or one a crash cut short); nothing when all are there */
export const ensureReadModelIndexes = async (pool: pg.Pool): Promise<void> => {
  const missing = async (db: pg.Pool | pg.PoolClient) => {
    const { rows } = await db.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'journey'",
    );
    const present = new Set(rows.map((r) => r.indexname));
    return READ_MODEL_INDEXES.filter(({ name }) => !present.has(name));
  };
  if ((await missing(pool)).length === 0) return;
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [INDEX_LOCK]);
    // one statement each: a build holds one table at a time
    for (const { name, sql } of await missing(client)) await client.query(`CREATE INDEX ${name} ${sql}`);
  } catch (error) {
    // a session that may still hold the lock (the server went away mid-build) is not reused
    client.release(error as Error);
    throw error;
  }
  await client.query('SELECT pg_advisory_unlock($1)', [INDEX_LOCK]).catch(() => undefined);
  client.release();
};
