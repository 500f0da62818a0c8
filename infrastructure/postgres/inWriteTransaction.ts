import type pg from 'pg';
import { connectionLostError, isConnectionLost } from './connectionLost.ts';

/**
 * How a read model's transaction begins: its commit does not wait for the WAL to reach the disk
 * (`synchronous_commit` off for this transaction only), as the SQLite read models commit with
 * synchronous=NORMAL. A read model is rebuilt from the store: a crash loses at most the last few
 * hundred milliseconds of commits, each whole with its checkpoint, and the projection applies
 * them again. Not for what acts outside (the alert and automation outboxes), whose commits stay durable.
 */
export const BEGIN_READ_MODEL = 'BEGIN; SET LOCAL synchronous_commit TO off';

/**
 * One write transaction on a client of `pool`: committed when `work` resolves, rolled back when
 * it throws, a lost connection told as UnavailableError. With `turnLock`, writers sharing it
 * take turns on a transaction-level advisory lock, as SQLite's BEGIN IMMEDIATE makes them.
 * `readModel`: begun with BEGIN_READ_MODEL.
 */
export const inWriteTransaction = async <T>(
  pool: pg.Pool,
  doing: string,
  work: (client: pg.PoolClient) => Promise<T>,
  turnLock?: string,
  options: { readonly readModel?: boolean } = {},
): Promise<T> => {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw connectionLostError(error, undefined, doing);
  }
  try {
    const begin = options.readModel ? BEGIN_READ_MODEL : 'BEGIN';
    await client.query(turnLock === undefined ? begin : `${begin}; SELECT pg_advisory_xact_lock(${turnLock})`);
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
