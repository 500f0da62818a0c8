import type pg from 'pg';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import { LeaseLostError } from '../../../domain/errors/leaseLostError.ts';
import { isConnectionLost } from '../connectionLost.ts';

const compare = (rows: readonly { epoch: string }[], fence: LeaseGrant, doing: string): void => {
  const current = rows[0] === undefined ? undefined : Number(rows[0].epoch);
  if (current !== fence.epoch) throw new LeaseLostError(fence.role, fence.epoch, current, doing);
};

/**
 * How long a fenced transaction may sit idle before the server ends its session: a holder paused
 * inside one (its row lock held) would otherwise hold off every takeover until it resumed.
 */
export const FENCED_IDLE_TIMEOUT_MS = 5_000;

/** the fence's one statement: the epoch, locked against a takeover, and the idle limit for this transaction */
const fenceSql = (role: string): string =>
  `SELECT set_config('idle_in_transaction_session_timeout', $2, true), epoch FROM journey.leases WHERE role = ${role} FOR KEY SHARE`;

/**
 * The fence, first thing in a write's transaction: the role's row is read FOR KEY SHARE, so a
 * takeover (which changes the epoch, a key column) waits for this transaction to end, and a
 * transaction that starts after a takeover sees the new epoch and is refused; the holder's own
 * renewals (not key updates) do not wait. Throws LeaseLostError; the caller rolls back.
 */
export const checkFence = async (
  client: pg.ClientBase,
  fence: LeaseGrant,
  doing: string,
  idleTimeoutMs = FENCED_IDLE_TIMEOUT_MS,
): Promise<void> => {
  const { rows } = await client.query<{ epoch: string }>(fenceSql('$1'), [fence.role, String(idleTimeoutMs)]);
  compare(rows, fence, doing);
};

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
  compare(rows, fence, doing);
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
      // BEGIN and the fence in one round trip (no parameters there); the role is ours, escaped all the same
      const fenceStatement = fenceSql(client.escapeLiteral(fence.role)).replace('$2', `'${FENCED_IDLE_TIMEOUT_MS}'`);
      const begun = (await client.query(`BEGIN; ${fenceStatement}`)) as unknown as [
        pg.QueryResult,
        pg.QueryResult<{ epoch: string }>,
      ];
      compare(begun[1].rows, fence, what);
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
