import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import type { AutomationSenders } from '../ports/automationSender.ts';
import type { AutomationStore, StoredDelivery } from '../ports/automationStore/automationStore.ts';
import type { Clock } from '../ports/clock.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import type { DeliveryFailure } from '../ports/notifier.ts';

export type AutomationDeliveryOptions = {
  /** attempts before a delivery is marked failed (JOURNEY_AUTOMATION_MAX_ATTEMPTS) */
  readonly maxAttempts: number;
  /** first retry delay; doubles each attempt, with jitter (default 1 s) */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** in [0, 1); Math.random by default */
  readonly random?: () => number;
  readonly logger?: Logger;
  /** told each attempt's outcome (metrics) */
  readonly onOutcome?: (automationId: string, outcome: 'delivered' | 'retried' | 'failed') => void;
};

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed';

/**
 * One delivery attempt, counted before it is made: after a crash the same id goes again (at least
 * once, one id), and a sender that can look first (Slack) finds what it already sent. Backoff is
 * exponential with "equal jitter" (half fixed, half random), so retries after an outage spread out.
 */
export class AutomationDelivery {
  constructor(
    private readonly store: AutomationStore,
    private readonly automations: CompiledAutomations,
    private readonly senders: AutomationSenders,
    private readonly clock: Clock,
    private readonly options: AutomationDeliveryOptions,
  ) {}

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  async deliver(delivery: StoredDelivery): Promise<DeliveryOutcome> {
    const automation = this.automations.byId.get(delivery.automationId);
    if (!automation || automation.actionKind !== delivery.action)
      return this.fail(
        delivery,
        `automation "${delivery.automationId}" with a ${delivery.action} action is no longer in JOURNEY_AUTOMATIONS (${this.automations.source}); put it back and run journey automations retry ${delivery.id}`,
      );
    const sender = this.senders[delivery.action];
    if (!sender)
      return this.fail(
        delivery,
        delivery.action === 'slack'
          ? 'Slack is not configured; set SLACK_BOT_TOKEN, then run journey automations retry'
          : `no ${delivery.action} sender is configured in this process`,
      );
    const attempt = await this.store.beginAttempt(delivery.id);
    let result: Awaited<ReturnType<typeof sender.send>>;
    try {
      result = await sender.send(delivery, automation, attempt);
    } catch (error) {
      result = { kind: 'transient', reason: error instanceof Error ? error.message : String(error) };
    }
    if (result.kind === 'sent') {
      await this.store.markDelivered(delivery.id, this.nowIso());
      this.logger.info({ delivery: delivery.id, automation: delivery.automationId, attempt }, 'automation delivered');
      this.options.onOutcome?.(delivery.automationId, 'delivered');
      return 'delivered';
    }
    return this.failed(delivery, attempt, result);
  }

  private async failed(delivery: StoredDelivery, attempt: number, failure: DeliveryFailure): Promise<DeliveryOutcome> {
    if (failure.kind === 'permanent') return this.fail(delivery, failure.reason);
    const reason =
      failure.kind === 'rate-limited'
        ? `rate limited; Retry-After ${Math.round(failure.retryAfterMs / 1000)} s`
        : failure.reason;
    if (attempt >= this.options.maxAttempts)
      return this.fail(
        delivery,
        `${reason}; gave up after ${attempt} attempts (JOURNEY_AUTOMATION_MAX_ATTEMPTS); run journey automations retry ${delivery.id} once the receiver is back`,
      );
    const delay = failure.kind === 'rate-limited' ? failure.retryAfterMs : this.backoffMs(attempt);
    const next = new Date(this.clock.now() + delay).toISOString();
    await this.store.retryLater(delivery.id, `${reason}; attempt ${attempt}, next at ${next}`, next);
    this.logger.warn(
      { delivery: delivery.id, attempt, delayMs: delay },
      `automation delivery ${delivery.id}: ${reason}`,
    );
    this.options.onOutcome?.(delivery.automationId, 'retried');
    return 'retried';
  }

  private backoffMs(attempt: number): number {
    const base = this.options.baseBackoffMs ?? 1_000;
    const ceiling = Math.min(base * 2 ** (attempt - 1), this.options.maxBackoffMs ?? 300_000);
    return Math.round(ceiling / 2 + (this.options.random ?? Math.random)() * (ceiling / 2));
  }

  private async fail(delivery: StoredDelivery, reason: string): Promise<DeliveryOutcome> {
    await this.store.markFailed(delivery.id, reason, this.nowIso());
    this.logger.error(
      { delivery: delivery.id, automation: delivery.automationId },
      `automation delivery failed: ${reason}`,
    );
    this.options.onOutcome?.(delivery.automationId, 'failed');
    return 'failed';
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
