import type pg from 'pg';
import { connectionLostError, isConnectionLost } from './connectionLost.ts';

/**
 * One write transaction on a client of `pool`: committed when `work` resolves, rolled back when
 * it throws, a lost connection told as UnavailableError. With `turnLock`, writers sharing it
 * take turns on a transaction-level advisory lock, as SQLite's BEGIN IMMEDIATE makes them.
 */
export const inWriteTransaction = async <T>(
  pool: pg.Pool,
  doing: string,
  work: (client: pg.PoolClient) => Promise<T>,
  turnLock?: string,
): Promise<T> => {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw connectionLostError(error, undefined, doing);
  }
  try {
    await client.query(turnLock === undefined ? 'BEGIN' : `BEGIN; SELECT pg_advisory_xact_lock(${turnLock})`);
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
