import type { AlertKind } from '../domain/alerts/alert.ts';
import type { AlertStore, StoredAlert } from './alertStore.ts';
import type { Clock } from './clock.ts';
import { type Logger, silentLogger } from './logger.ts';
import type { DeliveryFailure, Notifier } from './notifier.ts';

export type AlertDispatcherOptions = {
  readonly channelFor: (kind: AlertKind) => string;
  /** first retry delay after a 5xx or network error; doubles each attempt (default 1 s) */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** how often to look for alerts raised by other processes (default 100 ms) */
  readonly pollMs?: number;
  /** top-level alerts in flight at once (default 64: at 16 the alerter kept up with fewer than 1,000 sign-ups/s here, bench/alertLatencyBench.ts) */
  readonly concurrency?: number;
  readonly logger?: Logger;
};

const BATCH = 200;
const DEFAULT_CONCURRENCY = 64;

/** how far back to look for a message we may have posted before a crash */
const LOOKUP_SLACK_MS = 60_000;

/**
 * The alerter: drains the outbox to the notifier, one message per key. A delivery attempt is
 * counted before it is made; an alert with an earlier attempt is looked up before it is
 * posted again, so a crash between Slack's answer and our record of it does not post twice.
 * Without a notifier (no Slack token) alerts are logged and marked 'logged'.
 * Run one alerter per outbox.
 */
export class AlertDispatcher {
  private running: Promise<void> | undefined;
  private stopped = false;
  private woken = false;
  private wake: (() => void) | undefined;
  private pausedUntil = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: AlertStore,
    private readonly notifier: Notifier | undefined,
    private readonly clock: Clock,
    private readonly options: AlertDispatcherOptions,
  ) {}

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.unsubscribe = this.store.onRaised(() => this.poke());
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.poke();
    await this.running;
    this.running = undefined;
  }

  /** delivers what is due now; returns how many alerts reached a final state */
  async drainOnce(): Promise<number> {
    let done = 0;
    for (;;) {
      if (this.clock.now() < this.pausedUntil) return done;
      const due = await this.store.pending(this.nowIso(), BATCH);
      // top-level alerts are independent: several in flight hide Slack's round trip.
      // Replies go after them, in order, once their parent has its ts.
      const top = due.filter((a) => a.parentKey === undefined);
      const replies = due.filter((a) => a.parentKey !== undefined);
      let progressed = await this.inParallel(top, (alert) => this.deliver(alert));
      for (const [i, alert] of replies.entries()) {
        if (this.stopped || this.clock.now() < this.pausedUntil) return done + progressed;
        // a burst of occurrences becomes one count in the thread, not one reply each
        if (replies.slice(i + 1).some((a) => a.parentKey === alert.parentKey)) {
          await this.store.markSkipped(alert.key, 'superseded by a later count in the same thread', this.nowIso());
          progressed++;
          continue;
        }
        if (await this.deliver(alert)) progressed++;
      }
      done += progressed;
      if (progressed === 0 || due.length < BATCH) return done;
    }
  }

  private async inParallel(alerts: readonly StoredAlert[], deliver: (a: StoredAlert) => Promise<boolean>) {
    let next = 0;
    let finished = 0;
    const worker = async () => {
      for (;;) {
        const alert = alerts[next++];
        if (!alert || this.stopped || this.clock.now() < this.pausedUntil) return;
        if (await deliver(alert)) finished++;
      }
    };
    const width = Math.min(this.options.concurrency ?? DEFAULT_CONCURRENCY, alerts.length);
    await Promise.all(Array.from({ length: width }, worker));
    return finished;
  }

  private poke(): void {
    this.woken = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      try {
        await this.drainOnce();
      } catch (error) {
        this.logger.error({ err: error }, 'the alerter failed to read or update the alert outbox; retrying');
      }
      if (this.stopped || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 100);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** true when the alert reached a final state */
  private async deliver(alert: StoredAlert): Promise<boolean> {
    let channel = this.options.channelFor(alert.kind);
    let threadTs: string | undefined;
    if (alert.parentKey !== undefined) {
      const parent = await this.store.get(alert.parentKey);
      if (parent?.status === 'pending') return false;
      if (parent?.status !== 'posted' || parent.channel === undefined || parent.ts === undefined) {
        if (!this.notifier) return this.logged(alert, channel);
        await this.store.markSkipped(alert.key, `its thread ${alert.parentKey} was not posted`, this.nowIso());
        return true;
      }
      channel = parent.channel;
      threadTs = parent.ts;
    }
    if (!this.notifier) return this.logged(alert, channel);
    const attempts = await this.store.beginAttempt(alert.key);
    if (attempts > 1) {
      const since = new Date(Date.parse(alert.raisedAt) - LOOKUP_SLACK_MS).toISOString();
      const found = await this.notifier.find({ channel, key: alert.key, since, ...(threadTs ? { threadTs } : {}) });
      if (found.kind === 'found') return this.posted(alert, found.channel, found.ts, 'found after an earlier attempt');
      if (found.kind !== 'absent') return this.failed(alert, attempts, found);
    }
    const result = await this.notifier.post({
      key: alert.key,
      kind: alert.kind,
      userId: alert.userId,
      content: alert.content,
      channel,
      ...(threadTs === undefined ? {} : { threadTs }),
    });
    if (result.kind === 'posted') return this.posted(alert, result.channel, result.ts, 'posted');
    return this.failed(alert, attempts, result);
  }

  private async posted(alert: StoredAlert, channel: string, ts: string, how: string): Promise<boolean> {
    await this.store.markPosted(alert.key, { channel, ts, at: this.nowIso() });
    this.logger.info({ key: alert.key, channel, ts }, `alert ${alert.key} ${how} to Slack`);
    return true;
  }

  private async logged(alert: StoredAlert, channel: string): Promise<boolean> {
    this.logger.info(
      { key: alert.key, channel, content: alert.content },
      `alert ${alert.key} (Slack not configured): ${alert.content.headline}`,
    );
    await this.store.markLogged(alert.key, this.nowIso());
    return true;
  }

  private async failed(alert: StoredAlert, attempts: number, failure: DeliveryFailure): Promise<boolean> {
    const now = this.clock.now();
    switch (failure.kind) {
      case 'rate-limited': {
        this.pausedUntil = now + failure.retryAfterMs;
        const reason = `rate limited by Slack; retrying after ${failure.retryAfterMs} ms (Retry-After)`;
        await this.store.retryLater(alert.key, reason, new Date(this.pausedUntil).toISOString());
        this.logger.warn({ key: alert.key, retryAfterMs: failure.retryAfterMs }, `alert ${alert.key}: ${reason}`);
        return false;
      }
      case 'transient': {
        const base = this.options.baseBackoffMs ?? 1_000;
        const delay = Math.min(base * 2 ** Math.max(0, attempts - 1), this.options.maxBackoffMs ?? 300_000);
        const reason = `${failure.reason}; attempt ${attempts}, retrying in ${delay} ms`;
        await this.store.retryLater(alert.key, reason, new Date(now + delay).toISOString());
        this.logger.warn({ key: alert.key, attempts, delayMs: delay }, `alert ${alert.key}: ${reason}`);
        return false;
      }
      case 'permanent':
        await this.store.markFailed(alert.key, failure.reason, this.nowIso());
        this.logger.error({ key: alert.key, code: failure.code }, `alert ${alert.key} failed: ${failure.reason}`);
        return true;
      default: {
        const unknown: never = failure;
        return unknown;
      }
    }
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
