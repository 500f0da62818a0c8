import type { AlertStore, OutboxCursor, StoredAlert } from '../ports/alertStore/alertStore.ts';
import type { Clock } from '../ports/clock.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import type { Notifier } from '../ports/notifier.ts';
import { AlertDelivery, type AlertDeliveryOptions } from './alertDelivery.ts';

export type AlertDispatcherOptions = AlertDeliveryOptions & {
  /** how often to read the whole outbox again: retries that became due, other processes' alerts (default 100 ms) */
  readonly pollMs?: number;
  /** top-level alerts in flight at once (default 64) */
  readonly concurrency?: number;
};

/** alerts read ahead of the free slots */
const LOOKAHEAD = 200;
const DEFAULT_CONCURRENCY = 64;

/**
 * The alerter: drains the outbox to the notifier as a pipeline, one message per key and no key in
 * flight twice, so a new alert never waits for a batch. Each wake-up reads what was raised since its
 * cursor; every `pollMs` it rereads the outbox for due retries. Run one per outbox.
 */
export class AlertDispatcher {
  private readonly delivery: AlertDelivery;
  /** top-level alerts read and not started yet */
  private readonly queued: StoredAlert[] = [];
  private readonly replies: StoredAlert[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  /** keys queued, in flight or in the reply lane: a read skips them */
  private readonly known = new Set<string>();
  /** keys that finished while a read was under way: that read may still have seen them pending */
  private finishedWhileReading: Set<string> | undefined;
  private replyLane: Promise<void> | undefined;
  private cursor: OutboxCursor | undefined;
  private lastFullRead = Number.NEGATIVE_INFINITY;
  /** the last read was cut at its limit: there is more to read */
  private moreDue = false;
  private finished = 0;
  private pausedUntil = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private woken = false;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: AlertStore,
    notifier: Notifier | undefined,
    private readonly clock: Clock,
    private readonly options: AlertDispatcherOptions,
  ) {
    this.delivery = new AlertDelivery(store, notifier, clock, options, (until) => {
      this.pausedUntil = Math.max(this.pausedUntil, until);
    });
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private get pollMs(): number {
    return this.options.pollMs ?? 100;
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.queued.length = 0;
    this.replies.length = 0;
    this.known.clear();
    this.cursor = undefined;
    this.lastFullRead = Number.NEGATIVE_INFINITY;
    this.unsubscribe = this.store.onRaised(() => this.poke());
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.poke();
    await this.running;
    await this.settled();
    this.running = undefined;
  }

  /** delivers what is due now and waits for it; returns how many alerts reached a final state */
  async drainOnce(): Promise<number> {
    const start = this.finished;
    for (;;) {
      if (this.paused()) break;
      const before = this.finished;
      await this.read(true);
      this.pump();
      await this.settled();
      if (this.finished === before || !this.moreDue) break;
    }
    return this.finished - start;
  }

  private paused(): boolean {
    return this.clock.now() < this.pausedUntil;
  }

  private poke(): void {
    this.woken = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      if (!this.paused()) {
        try {
          await this.read(this.clock.now() - this.lastFullRead >= this.pollMs);
        } catch (error) {
          this.logger.error({ err: error }, 'the alerter failed to read the alert outbox; retrying');
        }
        this.pump();
      }
      if (this.stopped || this.woken) continue;
      const now = this.clock.now();
      await this.sleep(this.paused() ? this.pausedUntil - now : this.pollMs);
    }
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** reads due alerts not seen yet: after the cursor, or from the start (`full`) */
  private async read(full: boolean): Promise<void> {
    const room = LOOKAHEAD - this.queued.length - this.replies.length;
    if (room <= 0) {
      this.moreDue = true; // read again once the queue has room
      return;
    }
    const limit = full ? room + this.known.size : room;
    const readAt = this.clock.now();
    this.finishedWhileReading = new Set();
    try {
      const page = await this.store.duePage(new Date(readAt).toISOString(), limit, full ? undefined : this.cursor);
      if (full) this.lastFullRead = readAt;
      if (page.cursor !== undefined && (this.cursor === undefined || page.cursor > this.cursor))
        this.cursor = page.cursor;
      this.moreDue = page.alerts.length === limit;
      for (const alert of page.alerts) {
        if (this.known.has(alert.key) || this.finishedWhileReading.has(alert.key)) continue;
        this.known.add(alert.key);
        (alert.parentKey === undefined ? this.queued : this.replies).push(alert);
      }
    } finally {
      this.finishedWhileReading = undefined;
    }
  }

  /** starts what the free slots allow */
  private pump(): void {
    if (this.stopped || this.paused()) return;
    const width = this.options.concurrency ?? DEFAULT_CONCURRENCY;
    while (this.inFlight.size < width) {
      const alert = this.queued.shift();
      if (!alert) break;
      this.launch(alert);
    }
    if (!this.replyLane && this.replies.length > 0) {
      this.replyLane = this.runReplies().finally(() => {
        this.replyLane = undefined;
        this.pump();
      });
    }
  }

  private launch(alert: StoredAlert): Promise<void> {
    const delivering = this.delivery
      .deliver(alert)
      .then(
        (final) => {
          if (final) this.finished++;
        },
        (error: unknown) => {
          this.logger.error(
            { err: error, key: alert.key },
            `the alerter failed to update alert ${alert.key}; retrying`,
          );
        },
      )
      .finally(() => {
        this.inFlight.delete(alert.key);
        this.forget(alert.key);
        this.pump();
        if (this.moreDue && this.queued.length < LOOKAHEAD / 2) this.poke();
      });
    this.inFlight.set(alert.key, delivering);
    return delivering;
  }

  /** a key left the pipeline: a later read may take it again if it is still due (a retry) */
  private forget(key: string): void {
    this.known.delete(key);
    this.finishedWhileReading?.add(key);
  }

  private async runReplies(): Promise<void> {
    while (!this.stopped && !this.paused()) {
      const alert = this.replies.shift();
      if (!alert) return;
      try {
        // a burst of occurrences becomes one count in the thread, not one reply each
        if (this.replies.some((a) => a.parentKey === alert.parentKey)) {
          if (await this.delivery.skip(alert, 'superseded by a later count in the same thread')) this.finished++;
          continue;
        }
        await this.threadStarter(alert.parentKey ?? '');
        if (await this.delivery.deliver(alert)) this.finished++;
      } catch (error) {
        this.logger.error({ err: error, key: alert.key }, `the alerter failed to update alert ${alert.key}; retrying`);
      } finally {
        this.forget(alert.key);
      }
    }
  }

  /** the thread's first message, when this alerter has it queued or in flight, delivered first */
  private threadStarter(parentKey: string): Promise<void> | undefined {
    const queuedAt = this.queued.findIndex((a) => a.key === parentKey);
    const [parent] = queuedAt < 0 ? [] : this.queued.splice(queuedAt, 1);
    return parent ? this.launch(parent) : this.inFlight.get(parentKey);
  }

  /** resolves once nothing is in flight (what is queued stays queued while paused or stopped) */
  private async settled(): Promise<void> {
    while (this.inFlight.size > 0 || this.replyLane) await Promise.all([...this.inFlight.values(), this.replyLane]);
  }
}
