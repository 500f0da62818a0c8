import type pg from 'pg';
import type { Position } from '../../application/ports/eventStore/eventStore.ts';
import { connectionLostError, isConnectionLost } from './connectionLost.ts';
import { commitWrite, openWrite, type WriteOpening } from './writeOpening.ts';

/** a write transaction's client, the position its checkpoint row held when locked, and how to move it */
export type WriteTransaction = {
  readonly client: pg.PoolClient;
  /** the locked checkpoint's position: null when it has none, or `opening.checkpoint` was not given */
  readonly checkpoint: Position | null;
  /** stores `to` in the checkpoint row in the COMMIT's round trip */
  moveCheckpoint(to: Position): void;
};

/**
 * One write transaction on a client of `pool`: opened by openWrite (BEGIN, the writers' turn, the
 * fence, the checkpoint row locked, in one round trip), committed when `work` resolves, rolled back
 * when it throws, a lost connection told as UnavailableError.
 */
export const inWriteTransaction = async <T>(
  pool: pg.Pool,
  opening: WriteOpening,
  work: (tx: WriteTransaction) => Promise<T>,
): Promise<T> => {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw connectionLostError(error, undefined, opening.doing);
  }
  try {
    const checkpoint = await openWrite(client, opening);
    let to: Position | undefined;
    const result = await work({
      client,
      checkpoint,
      moveCheckpoint: (position) => {
        to = position;
      },
    });
    const row = opening.checkpoint;
    if (to !== undefined && row === undefined) throw new Error(`${opening.doing}: moved a checkpoint it did not lock`);
    await commitWrite(client, to === undefined || row === undefined ? undefined : { ...row, to });
    client.release();
    return result;
  } catch (error) {
    await rollback(client, error);
    throw connectionLostError(error, undefined, opening.doing);
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
