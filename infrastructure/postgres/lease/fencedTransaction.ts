import type pg from 'pg';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import { isConnectionLost } from '../connectionLost.ts';
import { openWrite } from '../writeOpening.ts';
import { throwUnlessHeld } from './fenceStatement.ts';

/** A write statement's own fence: `with` goes first, `and` into its WHERE; both empty when unfenced. */
export type StatementFence = { readonly with: string; readonly and: string; readonly params: readonly unknown[] };

/**
 * The fence inside one statement, for a write that is a transaction of its own: the role's row is
 * read FOR KEY SHARE at the epoch held (so a takeover waits for the statement), and the write
 * touches nothing when that epoch is gone. One round trip where BEGIN, fence, write and COMMIT
 * took three. `from`: the number of its first parameter. A statement that wrote fewer rows than
 * asked calls `confirmFence` to tell a lost lease from a missing row.
 */
export const statementFence = (fence: LeaseGrant | undefined, from: number): StatementFence =>
  fence === undefined
    ? { with: '', and: '', params: [] }
    : {
        with: `WITH fence AS (SELECT 1 FROM journey.leases WHERE role = $${from} AND epoch = $${from + 1} FOR KEY SHARE) `,
        and: ' AND EXISTS (SELECT 1 FROM fence)',
        params: [fence.role, fence.epoch],
      };

/** throws LeaseLostError unless `fence` is still the role's epoch (after a statement fenced by statementFence) */
export const confirmFence = async (queries: Queries, fence: LeaseGrant | undefined, doing: string): Promise<void> => {
  if (fence === undefined) return;
  const { rows } = await queries.query<{ epoch: string }>('SELECT epoch FROM journey.leases WHERE role = $1', [
    fence.role,
  ]);
  throwUnlessHeld(rows, fence, doing);
};

/** what a statement runs on: a pool, or `fencedQueries` of one */
export type Queries = {
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
};

/**
 * A pool whose every statement runs in its own transaction behind the fence: an adapter written
 * for a pool (one statement, one transaction) is fenced without changing its statements.
 */
export const fencedQueries = (pool: pg.Pool, fence: LeaseGrant, what: string): Queries => ({
  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<{ rows: R[] }> {
    const client = await pool.connect();
    try {
      await openWrite(client, { doing: what, fence });
      const result = await client.query<R>(sql, params);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await rollback(client, error);
      throw error;
    }
  },
});

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
