import type { EventQueue, WireEvent } from './eventQueue.ts';
import type { Transport } from './transport.ts';

/** Time as data, so batching and backoff are tested without waiting. */
export type Scheduler = {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export const browserScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
};

export type DispatcherOptions = {
  readonly writeKey: string;
  /** send as soon as this many events wait */
  readonly flushAt: number;
  /** otherwise send this long after the first waiting event */
  readonly flushIntervalMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
};

/** The collector takes 500 KB a request; a beacon (and a keepalive fetch) only 64 KB. */
const MAX_BATCH_BYTES = 450 * 1024;
const MAX_BEACON_BYTES = 60 * 1024;

/**
 * Sends queued events in batches by size (`flushAt`) and time (`flushIntervalMs`), one request at a
 * time, backing off while the collector is away. Events leave the queue only once acknowledged, so one
 * may be sent twice; its messageId makes the collector drop the copy.
 */
export class Dispatcher {
  private timer: unknown;
  private timerDue = Number.POSITIVE_INFINITY;
  private sending = false;
  private failures = 0;
  /** beacons already sent from this page, so hiding a tab again and again does not resend them */
  private readonly beaconed = new Set<string>();

  constructor(
    private readonly queue: EventQueue,
    private readonly transport: Transport,
    private readonly scheduler: Scheduler,
    private readonly options: DispatcherOptions,
  ) {}

  enqueue(event: WireEvent): void {
    this.queue.add(event);
    // while backing off, the backoff timer sends it: more events must not hammer a collector that is down
    if (this.failures > 0) return;
    if (this.queue.size() >= this.options.flushAt) void this.flush();
    else this.schedule(this.options.flushIntervalMs);
  }

  /** Events a previous page left behind go out soon after load. */
  resume(): void {
    if (this.queue.size() > 0) this.schedule(0);
  }

  /** The delay before retry number `failures` (1, 2, ...): base · 2^(failures−1), capped. */
  backoffMs(failures: number): number {
    return Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.max(0, failures - 1));
  }

  async flush(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    this.cancelTimer();
    try {
      for (;;) {
        const batch = this.queue.head(this.options.flushAt, MAX_BATCH_BYTES);
        if (batch.length === 0) return;
        const outcome = await this.transport.send(this.body(batch));
        if (outcome === 'retry') {
          this.failures++;
          this.schedule(this.backoffMs(this.failures));
          return;
        }
        // 'drop': the collector will never take these (bad key, invalid events): retrying would block the queue
        this.failures = 0;
        this.queue.remove(batch.map((e) => e.messageId));
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * The page is going away: hand everything to sendBeacon. Nothing leaves the queue, because
   * a beacon's fate is unknown; the next page load sends what is left and duplicates are dropped.
   */
  unload(): void {
    const pending = this.queue.head(Number.POSITIVE_INFINITY).filter((e) => !this.beaconed.has(e.messageId));
    let start = 0;
    while (start < pending.length) {
      const chunk: WireEvent[] = [];
      let bytes = 0;
      for (const event of pending.slice(start)) {
        const size = JSON.stringify(event).length;
        if (chunk.length > 0 && (bytes + size > MAX_BEACON_BYTES || chunk.length >= this.options.flushAt)) break;
        chunk.push(event);
        bytes += size;
      }
      if (!this.transport.beacon(this.body(chunk))) return;
      for (const event of chunk) this.beaconed.add(event.messageId);
      start += chunk.length;
    }
  }

  private body(batch: readonly WireEvent[]): string {
    const sentAt = new Date(this.scheduler.now()).toISOString();
    return JSON.stringify({ batch, sentAt, writeKey: this.options.writeKey });
  }

  private schedule(ms: number): void {
    const due = this.scheduler.now() + ms;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.cancelTimer();
    this.timerDue = due;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      void this.flush();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }
}
