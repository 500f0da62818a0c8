import type pg from 'pg';
import { connectionLostError, isConnectionLost } from '../connectionLost.ts';

/** Any fixed number, the same in every Journey process: alert writers take turns on it. */
export const ALERT_WRITER_LOCK = '7349201555';

/**
 * One transaction of an alert writer. Writers take turns on a transaction-level advisory
 * lock, as SQLite's BEGIN IMMEDIATE makes them: the projection and the slow-deployment timer
 * see each other's writes, and outbox numbers are drawn in commit order (see the spec).
 */
export const inAlertWriteTransaction = async <T>(
  pool: pg.Pool,
  doing: string,
  work: (client: pg.PoolClient) => Promise<T>,
  /** false for a rebuild's shadow, sole writer of its own state tables, which raises nothing */
  takeTurns = true,
): Promise<T> => {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw connectionLostError(error, undefined, doing);
  }
  try {
    await client.query(takeTurns ? `BEGIN; SELECT pg_advisory_xact_lock(${ALERT_WRITER_LOCK})` : 'BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    await rollback(client, error);
    throw connectionLostError(error, undefined, doing);
  }
};

/** a client whose server went away, or that cannot roll back, is dropped instead of reused */
const rollback = async (client: pg.PoolClient, cause: unknown): Promise<void> => {
  if (isConnectionLost(cause)) return client.release(true);
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch {
    client.release(true);
  }
};
