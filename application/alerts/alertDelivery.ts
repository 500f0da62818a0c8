import type { AlertKind } from '../../domain/alerts/alert.ts';
import type { AlertStore, StoredAlert } from '../ports/alertStore/alertStore.ts';
import type { Clock } from '../ports/clock.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import type { DeliveryFailure, Notifier } from '../ports/notifier.ts';

export type AlertDeliveryOptions = {
  readonly channelFor: (kind: AlertKind) => string;
  /** first retry delay after a 5xx or network error; doubles each attempt (default 1 s) */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly logger?: Logger;
  /**
   * asked right before a Slack call: false once this alerter's lease may have run out (a pause
   * longer than its TTL), as no fence can take back a message posted
   */
  readonly mayPost?: () => boolean;
};

/** how far back to look for a message we may have posted before a crash */
const LOOKUP_SLACK_MS = 60_000;

/**
 * One alert's delivery attempt, counted before it is made: an alert with an earlier attempt is looked
 * up before it is posted again, so a crash between Slack's answer and our record never posts twice.
 * Without a notifier alerts are marked 'logged'; a 429 calls `pause`.
 */
export class AlertDelivery {
  constructor(
    private readonly store: AlertStore,
    private readonly notifier: Notifier | undefined,
    private readonly clock: Clock,
    private readonly options: AlertDeliveryOptions,
    private readonly pause: (until: number) => void,
  ) {}

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /** true when the alert reached a final state */
  async deliver(alert: StoredAlert): Promise<boolean> {
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
    if (this.options.mayPost?.() === false) return false; // stays pending for the alerter that holds the lease
    const attempts = await this.store.beginAttempt(alert.key);
    if (this.options.mayPost?.() === false) return false;
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

  /** a reply superseded by a later count in the same thread */
  async skip(alert: StoredAlert, reason: string): Promise<boolean> {
    await this.store.markSkipped(alert.key, reason, this.nowIso());
    return true;
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
        const until = now + failure.retryAfterMs;
        this.pause(until);
        const reason = `rate limited by Slack; retrying after ${failure.retryAfterMs} ms (Retry-After)`;
        await this.store.retryLater(alert.key, reason, new Date(until).toISOString());
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
