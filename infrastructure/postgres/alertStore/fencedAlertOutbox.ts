import type pg from 'pg';
import type { AlertOutboxPart } from '../../../application/ports/alertStore/alertOutboxFacade.ts';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import { fencedQueries } from '../lease/fencedTransaction.ts';
import { PostgresAlertOutbox } from './postgresAlertOutbox.ts';

/**
 * The outbox with its delivery writes fenced by the alerter's lease: each write checks the
 * epoch in its own transaction and is refused once another alerter took over. Reads stay
 * plain: reading cannot undo a newer holder's work, and the dispatcher reads every 100 ms.
 */
export const fencedAlertOutbox = (pool: pg.Pool, fence: LeaseGrant): AlertOutboxPart => {
  const reads = new PostgresAlertOutbox(pool);
  const writes = new PostgresAlertOutbox(fencedQueries(pool, fence, `an alert outbox write of ${fence.holder}`));
  return {
    get: (key) => reads.get(key),
    pending: (now, limit) => reads.pending(now, limit),
    duePage: (now, limit, after) => reads.duePage(now, limit, after),
    listAlerts: (filter) => reads.listAlerts(filter),
    countAlertsByDay: (from, to) => reads.countAlertsByDay(from, to),
    countAlertsByStatus: () => reads.countAlertsByStatus(),
    beginAttempt: (key) => writes.beginAttempt(key),
    retryLater: (key, reason, at) => writes.retryLater(key, reason, at),
    markPosted: (key, delivery) => writes.markPosted(key, delivery),
    markDone: (key, status, reason, at) => writes.markDone(key, status, reason, at),
  };
};
