import type { AutomationWriter } from '../../../application/ports/automationStore/automationStore.ts';
import type { AutomationTimer, DeliveryDraft } from '../../../domain/automations/automationTriggers.ts';
import type { AutomationUser } from '../../../domain/automations/userTraits.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { compareText } from '../compareText.ts';
import { storedTimer, type TimerState } from './automationRows.ts';

/** The rows a transaction has read so far; `null` and `false` record rows known to be absent. */
export type AutomationSnapshot = {
  readonly users: Map<string, AutomationUser | null>;
  readonly timers: Map<string, TimerState | null>;
  /** ids of each user's stored waiting timers; their rows are in `timers` */
  readonly waitingOf: Map<string, readonly string[]>;
  /** by `now`: the first `asked` stored waiting timers due then, by instant and id; their rows are in `timers` */
  readonly due: Map<string, { readonly ids: readonly string[]; readonly asked: number }>;
  readonly deliveryIds: Map<string, boolean>;
};

export type AutomationWants = {
  readonly users: Set<string>;
  readonly timers: Set<string>;
  readonly waitingOf: Set<string>;
  /** by `now`: how many due timers to read */
  readonly due: Map<string, number>;
  readonly deliveryIds: Set<string>;
};

export type EnqueuedDelivery = DeliveryDraft & { readonly createdAt: string };

/** What `apply` wrote, to be stored in one go. */
export type AutomationChanges = {
  readonly users: readonly AutomationUser[];
  /** timers this transaction started, as they stand at its end */
  readonly newTimers: readonly TimerState[];
  /** stored timers that stopped waiting */
  readonly endedTimers: readonly { readonly id: string; readonly status: string }[];
  /** in the order they were enqueued, which is the order they are numbered in */
  readonly deliveries: readonly EnqueuedDelivery[];
};

export const emptyAutomationSnapshot = (): AutomationSnapshot => ({
  users: new Map(),
  timers: new Map(),
  waitingOf: new Map(),
  due: new Map(),
  deliveryIds: new Map(),
});

const byDue = (a: TimerState, b: TimerState): number =>
  a.timer.dueAt === b.timer.dueAt ? compareText(a.timer.id, b.timer.id) : a.timer.dueAt < b.timer.dueAt ? -1 : 1;

/**
 * An AutomationWriter that answers from a snapshot plus its own writes, and records what it
 * was asked for that the snapshot lacks (answering "absent" meanwhile); see prefetchedApply.ts.
 */
export class RecordingAutomationWriter implements AutomationWriter {
  readonly wants: AutomationWants = {
    users: new Set(),
    timers: new Set(),
    waitingOf: new Set(),
    due: new Map(),
    deliveryIds: new Set(),
  };
  private readonly users = new Map<string, AutomationUser>();
  /** every timer this transaction started or ended, as it stands now */
  private readonly timers = new Map<string, TimerState & { readonly started: boolean }>();
  private readonly enqueued = new Map<string, EnqueuedDelivery>();

  constructor(
    private readonly snapshot: AutomationSnapshot,
    /** a rebuild's shadow: the outbox is shared with the live model and keyed by delivery id, so a replay enqueues nothing */
    private readonly enqueueNothing = false,
  ) {}

  asksForMore(): boolean {
    const w = this.wants;
    return w.users.size + w.timers.size + w.waitingOf.size + w.due.size + w.deliveryIds.size > 0;
  }

  changes(): AutomationChanges {
    const touched = [...this.timers.values()];
    return {
      users: [...this.users.values()],
      newTimers: touched.filter((t) => t.started).map(({ timer, status }) => ({ timer, status })),
      endedTimers: touched.filter((t) => !t.started).map((t) => ({ id: t.timer.id, status: t.status })),
      deliveries: [...this.enqueued.values()],
    };
  }

  getUser(userId: string): AutomationUser | undefined {
    const written = this.users.get(userId);
    if (written) return written;
    const read = this.snapshot.users.get(userId);
    if (read === undefined) this.wants.users.add(userId);
    return read ?? undefined;
  }

  putUser(user: AutomationUser): void {
    this.users.set(user.userId, JSON.parse(JSON.stringify(user)) as AutomationUser);
  }

  waitingTimers(userId: string): AutomationTimer[] {
    const stored = this.snapshot.waitingOf.get(userId);
    if (stored === undefined) this.wants.waitingOf.add(userId);
    const own = [...this.timers.values()].filter((t) => t.timer.userId === userId).map((t) => t.timer.id);
    return this.waiting(new Set([...(stored ?? []), ...own]))
      .filter((t) => t.timer.userId === userId)
      .map((t) => t.timer);
  }

  startTimer(timer: AutomationTimer): void {
    if (this.stateOf(timer.id) !== undefined) return;
    this.timers.set(timer.id, { timer: storedTimer(timer), status: 'waiting', started: true });
  }

  cancelTimer(id: string): void {
    this.stop(id, 'cancelled');
  }

  dueTimers(now: string, limit: number): AutomationTimer[] {
    const at = canonicalInstant(now, 'now');
    const loaded = this.snapshot.due.get(at);
    const stillWaiting = (loaded?.ids ?? []).filter((id) => this.stateOf(id)?.status === 'waiting').length;
    // the unread stored ones come after every one read: enough when the read ones that still wait fill the limit
    if (loaded === undefined || (loaded.ids.length === loaded.asked && stillWaiting < limit))
      this.wants.due.set(at, Math.max(limit + this.timers.size, 2 * (loaded?.asked ?? 0)));
    return this.waiting(new Set([...(loaded?.ids ?? []), ...this.timers.keys()]))
      .filter((t) => t.timer.dueAt <= at)
      .slice(0, limit)
      .map((t) => t.timer);
  }

  endTimer(id: string, outcome: 'fired' | 'expired'): void {
    this.stop(id, outcome);
  }

  enqueue(delivery: DeliveryDraft, createdAt: string): boolean {
    if (this.enqueueNothing || this.enqueued.has(delivery.id)) return false;
    const stored = this.snapshot.deliveryIds.get(delivery.id);
    if (stored === undefined) this.wants.deliveryIds.add(delivery.id);
    if (stored === true) return false;
    this.enqueued.set(delivery.id, {
      ...delivery,
      triggeredAt: canonicalInstant(delivery.triggeredAt, 'triggeredAt'),
      createdAt: canonicalInstant(createdAt, 'createdAt'),
    });
    return true;
  }

  /** a waiting timer stops waiting; any other, or none, stays as it is */
  private stop(id: string, status: string): void {
    const state = this.stateOf(id);
    if (state?.status !== 'waiting') return;
    const own = this.timers.get(id);
    this.timers.set(id, { timer: state.timer, status, started: own?.started ?? false });
  }

  private stateOf(id: string): TimerState | undefined {
    const own = this.timers.get(id);
    if (own) return own;
    const read = this.snapshot.timers.get(id);
    if (read === undefined) this.wants.timers.add(id);
    return read ?? undefined;
  }

  /** those of `ids` waiting as this transaction stands, by instant then id */
  private waiting(ids: ReadonlySet<string>): TimerState[] {
    return [...ids]
      .map((id) => this.stateOf(id))
      .filter((t): t is TimerState => t?.status === 'waiting')
      .sort(byDue);
  }
}
