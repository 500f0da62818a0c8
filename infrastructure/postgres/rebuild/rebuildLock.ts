import type pg from 'pg';
import { RebuildLockedError, type RebuildLockHolder } from '../../../application/ports/rebuildTarget.ts';

/** the first key of every rebuild lock (any number, the same in every Journey process); the second is the projection's */
const REBUILD_LOCK_CLASS = 734920;

/**
 * A projection's rebuild lock: a session-level advisory lock of the rebuilding connection,
 * so it is freed when that connection ends however the process died (no pid to probe, on
 * this host or another). The holder row in journey.projection_rebuilds only says who holds
 * it; a row whose lock is free is a rebuild that died, and the next one takes it over.
 */
export const takeRebuildLock = async (
  client: pg.ClientBase,
  projection: string,
  holder: RebuildLockHolder,
): Promise<void> => {
  await client.query('INSERT INTO journey.projection_rebuilds (projection) VALUES ($1) ON CONFLICT DO NOTHING', [
    projection,
  ]);
  // the row lock makes a loser wait for the winner's holder row rather than read the one before
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ pid: number | null; host: string | null; since: string | null }>(
      `SELECT holder_pid AS pid, holder_host AS host, holder_since AS since FROM journey.projection_rebuilds
       WHERE projection = $1 FOR UPDATE`,
      [projection],
    );
    const taken = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
      REBUILD_LOCK_CLASS,
      projection,
    ]);
    if (!taken.rows[0]?.locked) {
      const held = rows[0];
      throw new RebuildLockedError(projection, {
        pid: held?.pid ?? 0,
        host: held?.host ?? 'an unknown host',
        since: held?.since ?? 'an unknown time',
      });
    }
    await client.query(
      'UPDATE journey.projection_rebuilds SET holder_pid = $2, holder_host = $3, holder_since = $4 WHERE projection = $1',
      [projection, holder.pid, holder.host, holder.since],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
};

export const releaseRebuildLock = async (
  client: pg.ClientBase,
  projection: string,
  holder: RebuildLockHolder,
): Promise<void> => {
  await client.query(
    `UPDATE journey.projection_rebuilds SET holder_pid = NULL, holder_host = NULL, holder_since = NULL
     WHERE projection = $1 AND holder_pid = $2 AND holder_host = $3`,
    [projection, holder.pid, holder.host],
  );
  await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REBUILD_LOCK_CLASS, projection]);
};

/** the installed version, and who rebuilds it now: the holder row, if a session holds the lock */
export const rebuildStateOf = async (
  db: pg.Pool,
  projection: string,
): Promise<{ readonly version: number; readonly holder: RebuildLockHolder | null }> => {
  const { rows } = await db.query<{
    version: number;
    pid: number | null;
    host: string | null;
    since: string | null;
    held: boolean;
  }>(
    `SELECT version, holder_pid AS pid, holder_host AS host, holder_since AS since,
       EXISTS (SELECT 1 FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = $2::bigint::oid AND l.objid = (hashtext($1)::bigint & 4294967295)::oid) AS held
     FROM journey.projection_rebuilds WHERE projection = $1`,
    [projection, REBUILD_LOCK_CLASS],
  );
  const row = rows[0];
  if (!row) return { version: 1, holder: null };
  const { pid, host, since } = row;
  return {
    version: row.version,
    holder: row.held && pid !== null && host !== null && since !== null ? { pid, host, since } : null,
  };
};
