import type pg from 'pg';
import { ADVISORY_LOCKS } from '../advisoryLocks.ts';
import { inWriteTransaction } from '../inWriteTransaction.ts';

/** alert writers take turns on it (see advisoryLocks.ts) */
export const ALERT_WRITER_LOCK = ADVISORY_LOCKS.alertWriters;

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
): Promise<T> => inWriteTransaction(pool, doing, work, takeTurns ? ALERT_WRITER_LOCK : undefined);
