import type {
  AlertDayCount,
  AlertFilter,
  AlertStatus,
  AlertStore,
  DuePage,
  OutboxCursor,
  StoredAlert,
} from './alertStore.ts';

type OutboxCalls =
  | 'get'
  | 'pending'
  | 'duePage'
  | 'beginAttempt'
  | 'retryLater'
  | 'markPosted'
  | 'listAlerts'
  | 'countAlertsByDay'
  | 'countAlertsByStatus';

/** an adapter's outbox: the port's outbox calls, with the three final states as one */
export type AlertOutboxPart = Pick<AlertStore, OutboxCalls> & {
  markDone(key: string, status: 'logged' | 'failed' | 'skipped', reason: string | null, at: string): Promise<void>;
};

/**
 * The outbox half of the AlertStore port over an adapter's outbox, each call refused once the
 * adapter is closed. Adapters supply the outbox, the check and the rest of the port.
 */
export abstract class AlertOutboxFacade
  implements Pick<AlertStore, OutboxCalls | 'markLogged' | 'markFailed' | 'markSkipped'>
{
  protected abstract readonly outbox: AlertOutboxPart;
  /** throws UnavailableError, saying what to do, when the adapter is closed */
  protected abstract assertOpen(): void;

  async get(key: string): Promise<StoredAlert | undefined> {
    this.assertOpen();
    return this.outbox.get(key);
  }
  async pending(now: string, limit: number): Promise<StoredAlert[]> {
    this.assertOpen();
    return this.outbox.pending(now, limit);
  }
  async duePage(now: string, limit: number, after?: OutboxCursor): Promise<DuePage> {
    this.assertOpen();
    return this.outbox.duePage(now, limit, after);
  }
  async beginAttempt(key: string): Promise<number> {
    this.assertOpen();
    return this.outbox.beginAttempt(key);
  }
  async retryLater(key: string, reason: string, nextAttemptAt: string): Promise<void> {
    this.assertOpen();
    return this.outbox.retryLater(key, reason, nextAttemptAt);
  }
  async markPosted(key: string, delivery: { channel: string; ts: string; at: string }): Promise<void> {
    this.assertOpen();
    return this.outbox.markPosted(key, delivery);
  }
  async markLogged(key: string, at: string): Promise<void> {
    this.assertOpen();
    return this.outbox.markDone(key, 'logged', null, at);
  }
  async markFailed(key: string, reason: string, at: string): Promise<void> {
    this.assertOpen();
    return this.outbox.markDone(key, 'failed', reason, at);
  }
  async markSkipped(key: string, reason: string, at: string): Promise<void> {
    this.assertOpen();
    return this.outbox.markDone(key, 'skipped', reason, at);
  }
  async listAlerts(filter?: AlertFilter): Promise<StoredAlert[]> {
    this.assertOpen();
    return this.outbox.listAlerts(filter);
  }
  async countAlertsByDay(from: string, to: string): Promise<AlertDayCount[]> {
    this.assertOpen();
    return this.outbox.countAlertsByDay(from, to);
  }
  async countAlertsByStatus(): Promise<Record<AlertStatus, number>> {
    this.assertOpen();
    return this.outbox.countAlertsByStatus();
  }
}
