import { resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import {
  type AlertDayCount,
  type AlertFilter,
  type AlertStatus,
  alertStatuses,
  type DuePage,
  type OutboxCursor,
  type StoredAlert,
} from '../../../application/ports/alertStore/alertStore.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { GroupCommit, outcomeOf } from '../groupCommit.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { type AlertStatements, toStoredAlert } from './alertTables.ts';

/**
 * The alerter's side of `alerts.db`: the outbox it reads, the delivery state it writes and
 * the news that alerts were raised. Delivery writes made in the same tick share one
 * transaction (and its fsync).
 */
export class SqliteAlertOutbox {
  private readonly listeners = new Set<() => void>();
  /** tells this file's stores in other threads of this process (the alerter's worker) */
  private readonly channel: BroadcastChannel;
  private readonly deliveryWrites: GroupCommit<() => unknown, unknown>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly stmts: AlertStatements,
    file: string,
  ) {
    const batch = db.transaction((writes: readonly (() => unknown)[]) => writes.map((w) => outcomeOf(w)));
    this.deliveryWrites = new GroupCommit((writes) => batch.immediate(writes), `alert outbox ${file}`);
    this.channel = new BroadcastChannel(`journey-alerts-raised:${resolve(file)}`);
    this.channel.onmessage = () => this.notifyListeners();
    (this.channel as unknown as { unref(): void }).unref();
  }

  /** after a commit that raised alerts: this thread's listeners, and the file's stores in other threads */
  raised(): void {
    this.notifyListeners();
    this.channel.postMessage(null);
  }

  onRaised(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async get(key: string): Promise<StoredAlert | undefined> {
    const row = this.stmts.get.get(key);
    return row && toStoredAlert(row);
  }

  async pending(now: string, limit: number): Promise<StoredAlert[]> {
    return this.stmts.pending.all(canonicalInstant(now, 'now'), limit).map(toStoredAlert);
  }

  async duePage(now: string, limit: number, after?: OutboxCursor): Promise<DuePage> {
    const rows = this.stmts.duePage.all(canonicalInstant(now, 'now'), after ?? 0, limit);
    return { alerts: rows.map(toStoredAlert), cursor: rows.at(-1)?.seq ?? after };
  }

  beginAttempt(key: string): Promise<number> {
    return this.write(() => this.stmts.beginAttempt.get(key)?.attempts ?? 0);
  }

  async retryLater(key: string, reason: string, nextAttemptAt: string): Promise<void> {
    const next = canonicalInstant(nextAttemptAt, 'nextAttemptAt');
    await this.write(() => this.stmts.retryLater.run(reason, next, key));
  }

  async markPosted(key: string, d: { channel: string; ts: string; at: string }): Promise<void> {
    await this.write(() => this.stmts.markPosted.run(d.channel, d.ts, d.at, key));
  }

  async markDone(
    key: string,
    status: 'logged' | 'failed' | 'skipped',
    reason: string | null,
    at: string,
  ): Promise<void> {
    await this.write(() => this.stmts.markDone.run(status, reason, at, key));
  }

  async listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    return this.stmts.list
      .all({ status: filter.status ?? null, kind: filter.kind ?? null, limit: filter.limit ?? 100 })
      .map(toStoredAlert);
  }

  async countAlertsByDay(from: string, to: string): Promise<AlertDayCount[]> {
    return this.db
      .prepare<[from: string, until: string], AlertDayCount>(
        `SELECT substr(occurred_at, 1, 10) AS date, kind, COUNT(*) AS count FROM alerts
         WHERE occurred_at >= ? AND occurred_at <= ? GROUP BY date, kind ORDER BY date, kind`,
      )
      .all(`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`);
  }

  async countAlertsByStatus(): Promise<Record<AlertStatus, number>> {
    const counts = Object.fromEntries(alertStatuses.map((s) => [s, 0])) as Record<AlertStatus, number>;
    const rows = this.db
      .prepare<[], { status: AlertStatus; count: number }>(
        'SELECT status, COUNT(*) AS count FROM alerts GROUP BY status',
      )
      .all();
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  /** waits for the delivery writes in flight and stops listening */
  async close(): Promise<void> {
    await this.deliveryWrites.drain();
    this.listeners.clear();
    this.channel.close();
  }

  private write<T>(fn: () => T): Promise<T> {
    return this.deliveryWrites.submit(fn) as Promise<T>;
  }

  private notifyListeners(): void {
    for (const l of this.listeners) l();
  }
}
