import type {
  AutomationStore,
  AutomationWriter,
  DeliveryCount,
  DeliveryFilter,
  StoredDelivery,
} from '../../application/ports/automationStore/automationStore.ts';
import { comparePositions, type Position } from '../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../application/ports/readModels/readModels.ts';
import type { AutomationTimer } from '../../domain/automations/automationTriggers.ts';
import type { AutomationUser } from '../../domain/automations/userTraits.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';

type Timer = AutomationTimer & { status: 'waiting' | 'cancelled' | 'fired' | 'expired' };
type State = {
  users: Map<string, AutomationUser>;
  timers: Map<string, Timer>;
  deliveries: Map<string, StoredDelivery & { seq: number }>;
  checkpoints: Map<string, Position>;
  seq: number;
};

const iso = (instant: string): string => new Date(Date.parse(instant)).toISOString();
const copy = (s: State): State => ({
  users: new Map(s.users),
  timers: new Map([...s.timers].map(([k, t]) => [k, { ...t }])),
  deliveries: new Map(s.deliveries),
  checkpoints: new Map(s.checkpoints),
  seq: s.seq,
});

/** Test support: the AutomationStore port in memory; a transaction works on a copy and swaps it in. */
export class MemoryAutomationStore implements AutomationStore {
  private state: State = { users: new Map(), timers: new Map(), deliveries: new Map(), checkpoints: new Map(), seq: 0 };
  private readonly listeners = new Set<() => void>();
  private closed = false;

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    return this.state.checkpoints.get(projection) ?? null;
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AutomationWriter) => void,
  ): Promise<CheckpointResult> {
    return this.update((writer, state): CheckpointResult => {
      const current = state.checkpoints.get(projection) ?? null;
      const same =
        current === null || checkpoint.from === null
          ? current === checkpoint.from
          : comparePositions(current, checkpoint.from) === 0;
      if (!same) return { kind: 'mismatch', current };
      apply(writer);
      state.checkpoints.set(projection, checkpoint.to);
      return { kind: 'stored' };
    });
  }

  async update<T>(apply: (writer: AutomationWriter, state: State) => T): Promise<T> {
    this.assertOpen();
    const next = copy(this.state);
    let enqueued = 0;
    const writer: AutomationWriter = {
      getUser: (userId) => next.users.get(userId),
      putUser: (user) => next.users.set(user.userId, user),
      waitingTimers: (userId) =>
        [...next.timers.values()]
          .filter((t) => t.userId === userId && t.status === 'waiting')
          .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id))
          .map(({ status: _, ...t }) => t),
      startTimer: (t) => {
        if (!next.timers.has(t.id))
          next.timers.set(t.id, { ...t, startedAt: iso(t.startedAt), dueAt: iso(t.dueAt), status: 'waiting' });
      },
      cancelTimer: (id) => this.endTimer(next, id, 'cancelled'),
      dueTimers: (now, limit) =>
        [...next.timers.values()]
          .filter((t) => t.status === 'waiting' && t.dueAt <= iso(now))
          .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id))
          .slice(0, limit)
          .map(({ status: _, ...t }) => t),
      endTimer: (id, outcome) => this.endTimer(next, id, outcome),
      enqueue: (d, createdAt) => {
        if (next.deliveries.has(d.id)) return false;
        const created = iso(createdAt);
        next.deliveries.set(d.id, {
          ...d,
          triggeredAt: iso(d.triggeredAt),
          payload: structuredClone(d.payload),
          createdAt: created,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: created,
          seq: ++next.seq,
        });
        enqueued++;
        return true;
      },
    };
    const result = apply(writer, next);
    this.state = next;
    if (enqueued > 0) for (const l of this.listeners) l();
    return result;
  }

  async resetProjection(projection: string): Promise<void> {
    this.assertOpen();
    this.state.users.clear();
    this.state.timers.clear();
    this.state.checkpoints.delete(projection);
  }

  async get(id: string): Promise<StoredDelivery | undefined> {
    this.assertOpen();
    return this.public(this.state.deliveries.get(id));
  }

  async due(now: string, limit: number): Promise<StoredDelivery[]> {
    this.assertOpen();
    return [...this.state.deliveries.values()]
      .filter((d) => d.status === 'pending' && d.nextAttemptAt <= iso(now))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .flatMap((d) => this.public(d) ?? []);
  }

  async beginAttempt(id: string): Promise<number> {
    return this.change(id, (d) => ({ ...d, attempts: d.attempts + 1 }))?.attempts ?? 0;
  }

  async retryLater(id: string, reason: string, nextAttemptAt: string): Promise<void> {
    this.change(id, (d) =>
      d.status === 'pending' ? { ...d, lastError: reason, nextAttemptAt: iso(nextAttemptAt) } : d,
    );
  }

  async markDelivered(id: string, at: string): Promise<void> {
    this.change(id, ({ lastError: _, ...d }) => ({ ...d, status: 'delivered', deliveredAt: at }));
  }

  async markFailed(id: string, reason: string, at: string): Promise<void> {
    this.change(id, (d) =>
      d.status === 'pending' ? { ...d, status: 'failed', lastError: reason, deliveredAt: at } : d,
    );
  }

  async retry(id: string, now: string): Promise<StoredDelivery | undefined> {
    const before = this.state.deliveries.get(id)?.status;
    const changed = this.change(id, (d) => {
      if (d.status !== 'failed') return d;
      const { deliveredAt: _, ...rest } = d;
      return { ...rest, status: 'pending', attempts: 0, nextAttemptAt: iso(now) };
    });
    if (before === 'failed') for (const l of this.listeners) l();
    return this.public(changed);
  }

  async listDeliveries(filter: DeliveryFilter = {}): Promise<StoredDelivery[]> {
    this.assertOpen();
    return [...this.state.deliveries.values()]
      .filter(
        (d) =>
          (filter.automation === undefined || d.automationId === filter.automation) &&
          (filter.status === undefined || d.status === filter.status),
      )
      .sort((a, b) => b.seq - a.seq)
      .slice(0, filter.limit ?? 100)
      .flatMap((d) => this.public(d) ?? []);
  }

  async countDeliveries(): Promise<DeliveryCount[]> {
    this.assertOpen();
    const counts = new Map<string, DeliveryCount>();
    for (const d of this.state.deliveries.values()) {
      const key = `${d.automationId}\u0000${d.status}`;
      counts.set(key, { automationId: d.automationId, status: d.status, count: (counts.get(key)?.count ?? 0) + 1 });
    }
    return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  }

  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  private endTimer(state: State, id: string, outcome: Timer['status']): void {
    const timer = state.timers.get(id);
    if (timer?.status === 'waiting') timer.status = outcome;
  }

  private change(
    id: string,
    f: (d: StoredDelivery & { seq: number }) => StoredDelivery & { seq: number },
  ): (StoredDelivery & { seq: number }) | undefined {
    this.assertOpen();
    const found = this.state.deliveries.get(id);
    if (!found) return undefined;
    const next = f(found);
    this.state.deliveries.set(id, next);
    return next;
  }

  private public(d: (StoredDelivery & { seq: number }) | undefined): StoredDelivery | undefined {
    if (!d) return undefined;
    const { seq: _, ...rest } = d;
    return structuredClone(rest);
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('the memory automation store is closed; create a new one');
  }
}
