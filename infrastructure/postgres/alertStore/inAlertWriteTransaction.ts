import type pg from 'pg';
import { ADVISORY_LOCKS } from '../advisoryLocks.ts';
import { inWriteTransaction, type WriteTransaction } from '../inWriteTransaction.ts';
import type { WriteOpening } from '../writeOpening.ts';

/** alert writers take turns on it (see advisoryLocks.ts) */
export const ALERT_WRITER_LOCK = ADVISORY_LOCKS.alertWriters;

/**
 * One transaction of an alert writer. Writers take turns on a transaction-level advisory
 * lock, as SQLite's BEGIN IMMEDIATE makes them: the projection and the slow-deployment timer
 * see each other's writes, and outbox numbers are drawn in commit order (see the spec).
 * `takeTurns` false: a rebuild's shadow, sole writer of its own state tables, which raises nothing.
 */
export const inAlertWriteTransaction = <T>(
  pool: pg.Pool,
  opening: Omit<WriteOpening, 'turnLock'> & { readonly takeTurns?: boolean },
  work: (tx: WriteTransaction) => Promise<T>,
): Promise<T> => {
  const { takeTurns = true, ...rest } = opening;
  return inWriteTransaction(pool, takeTurns ? { ...rest, turnLock: ALERT_WRITER_LOCK } : rest, work);
};
