import type pg from 'pg';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import { LeaseLostError } from '../../../domain/errors/leaseLostError.ts';

/**
 * How long a fenced transaction may sit idle before the server ends its session: a holder paused
 * inside one (its row lock held) would otherwise hold off every takeover until it resumed.
 */
export const FENCED_IDLE_TIMEOUT_MS = 5_000;

/**
 * The fence, first thing in a write's transaction (openWrite puts it in the opening round trip):
 * the role's row is read FOR KEY SHARE, so a takeover (which changes the epoch, a key column)
 * waits for this transaction to end, and a transaction that starts after a takeover sees the new
 * epoch and is refused; the holder's own renewals (not key updates) do not wait. It also sets
 * this transaction's idle limit. Its rows go to throwUnlessHeld. Parameter-free, so it can share a
 * simple query with BEGIN: the role is ours, escaped all the same.
 */
export const fenceStatement = (client: pg.ClientBase, role: string, idleTimeoutMs = FENCED_IDLE_TIMEOUT_MS): string =>
  `SELECT set_config('idle_in_transaction_session_timeout', '${Math.trunc(idleTimeoutMs)}', true), epoch
   FROM journey.leases WHERE role = ${client.escapeLiteral(role)} FOR KEY SHARE`;

/** throws LeaseLostError unless the fence statement's rows show `fence`'s epoch */
export const throwUnlessHeld = (rows: readonly { epoch?: string }[], fence: LeaseGrant, doing: string): void => {
  const current = rows[0]?.epoch === undefined ? undefined : Number(rows[0].epoch);
  if (current !== fence.epoch) throw new LeaseLostError(fence.role, fence.epoch, current, doing);
};
