import {
  type AlertDayCount,
  type AlertFilter,
  type AlertStatus,
  type AlertStore,
  type AlertWriter,
  alertStatuses,
  type DuePage,
  type OutboxCursor,
  type StoredAlert,
} from '../../application/ports/alertStore/alertStore.ts';
import { type Position, samePosition } from '../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../application/ports/readModels/readModels.ts';
import type { AlertDraft } from '../../domain/alerts/alert.ts';
import type { ErrorGroup, TrackedDeployment } from '../../domain/alerts/alertRules.ts';
import { canonicalInstant } from '../../infrastructure/polling/instants.ts';

type State = {
  deployments: Map<string, TrackedDeployment>;
  errorGroups: Map<string, ErrorGroup>;
  alerts: Map<string, StoredAlert>;
  checkpoints: Map<string, Position>;
};

const copy = (s: State): State => ({
  deployments: new Map(s.deployments),
  errorGroups: new Map(s.errorGroups),
  alerts: new Map(s.alerts),
  checkpoints: new Map(s.checkpoints),
});

/** The reference adapter: a transaction works on a copy that replaces the state when `apply` returns. */
export class MemoryAlertStore implements AlertStore {
  private state: State = { deployments: new Map(), errorGroups: new Map(), alerts: new Map(), checkpoints: new Map() };
  private readonly listeners = new Set<() => void>();

  async readCheckpoint(projection: string): Promise<Position | null> {
    return this.state.checkpoints.get(projection) ?? null;
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AlertWriter) => void,
  ): Promise<CheckpointResult> {
    const current = this.state.checkpoints.get(projection) ?? null;
    if (!samePosition(current, checkpoint.from)) return { kind: 'mismatch', current };
    await this.update((writer) => {
      apply(writer);
      this.state.checkpoints.set(projection, checkpoint.to);
    });
    return { kind: 'stored' };
  }

  async update<T>(apply: (writer: AlertWriter) => T): Promise<T> {
    const before = this.state;
    this.state = copy(before);
    let raised = 0;
    try {
      const result = apply(this.writer(() => raised++));
      if (raised > 0) for (const l of this.listeners) l();
      return result;
    } catch (error) {
      this.state = before;
      throw error;
    }
  }

  async resetProjection(projection: string): Promise<void> {
    this.state.deployments.clear();
    this.state.errorGroups.clear();
    this.state.checkpoints.delete(projection);
  }

  async get(key: string): Promise<StoredAlert | undefined> {
    return this.state.alerts.get(key);
  }

  async pending(now: string, limit: number): Promise<StoredAlert[]> {
    return [...this.state.alerts.values()]
      .filter((a) => a.status === 'pending' && a.nextAttemptAt <= now)
      .slice(0, limit);
  }

  /** alerts are never removed, so an alert's place in the map's insertion order is its number */
  async duePage(now: string, limit: number, after?: OutboxCursor): Promise<DuePage> {
    const alerts: StoredAlert[] = [];
    let cursor = after;
    let seq = 0;
    for (const a of this.state.alerts.values()) {
      seq++;
      if (alerts.length >= limit) break;
      if (seq <= (after ?? 0) || a.status !== 'pending' || a.nextAttemptAt > now) continue;
      alerts.push(a);
      cursor = seq;
    }
    return { alerts, cursor };
  }

  async beginAttempt(key: string): Promise<number> {
    const alert = this.state.alerts.get(key);
    if (!alert) return 0;
    this.state.alerts.set(key, { ...alert, attempts: alert.attempts + 1 });
    return alert.attempts + 1;
  }

  async retryLater(key: string, reason: string, nextAttemptAt: string): Promise<void> {
    this.change(key, { lastError: reason, nextAttemptAt: canonicalInstant(nextAttemptAt, 'nextAttemptAt') });
  }

  async markPosted(key: string, d: { channel: string; ts: string; at: string }): Promise<void> {
    this.change(key, { status: 'posted', channel: d.channel, ts: d.ts, deliveredAt: d.at });
  }

  async markLogged(key: string, at: string): Promise<void> {
    this.change(key, { status: 'logged', deliveredAt: at });
  }

  async markFailed(key: string, reason: string, at: string): Promise<void> {
    this.change(key, { status: 'failed', lastError: reason, deliveredAt: at });
  }

  async markSkipped(key: string, reason: string, at: string): Promise<void> {
    this.change(key, { status: 'skipped', lastError: reason, deliveredAt: at });
  }

  async listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    return [...this.state.alerts.values()]
      .filter(
        (a) =>
          (filter.status === undefined || a.status === filter.status) &&
          (filter.kind === undefined || a.kind === filter.kind),
      )
      .reverse()
      .slice(0, filter.limit ?? 100);
  }
  async countAlertsByDay(from: string, to: string): Promise<AlertDayCount[]> {
    const counts = new Map<string, AlertDayCount>();
    for (const a of this.state.alerts.values()) {
      const date = a.occurredAt.slice(0, 10);
      if (date < from || date > to) continue;
      const key = `${date} ${a.kind}`;
      counts.set(key, { date, kind: a.kind, count: (counts.get(key)?.count ?? 0) + 1 });
    }
    return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
  }

  async countAlertsByStatus(): Promise<Record<AlertStatus, number>> {
    const counts = Object.fromEntries(alertStatuses.map((s) => [s, 0])) as Record<AlertStatus, number>;
    for (const a of this.state.alerts.values()) counts[a.status] += 1;
    return counts;
  }

  onRaised(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private change(key: string, patch: Partial<StoredAlert>): void {
    const alert = this.state.alerts.get(key);
    if (alert) this.state.alerts.set(key, { ...alert, ...patch });
  }

  private writer(onRaise: () => void): AlertWriter {
    const s = this.state;
    return {
      getDeployment: (id) => s.deployments.get(id),
      putDeployment: (d) =>
        void s.deployments.set(d.deploymentId, { ...d, startedAt: canonicalInstant(d.startedAt, 'startedAt') }),
      dueDeployments: (from, before) =>
        [...s.deployments.values()].filter(
          (d) =>
            !d.finished &&
            d.startedAt >= from &&
            d.startedAt < before &&
            !s.alerts.has(`deploy-slow:${d.deploymentId}`),
        ),
      getErrorGroup: (userId, code) => s.errorGroups.get(JSON.stringify([userId, code])),
      putErrorGroup: (g) => void s.errorGroups.set(JSON.stringify([g.userId, g.code]), g),
      hasAlert: (key) => s.alerts.has(key),
      raise: (alert: AlertDraft, raisedAt: string) => {
        if (s.alerts.has(alert.key)) return false;
        s.alerts.set(alert.key, {
          ...alert,
          occurredAt: canonicalInstant(alert.occurredAt, 'occurredAt'),
          raisedAt,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: raisedAt,
        });
        onRaise();
        return true;
      },
    };
  }
}
