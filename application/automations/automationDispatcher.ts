import type { TriggerRules } from '../../domain/automations/automationTriggers.ts';
import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import type { AutomationSenders } from '../ports/automationSender.ts';
import type { AutomationStore } from '../ports/automationStore/automationStore.ts';
import type { Clock } from '../ports/clock.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import { AutomationDelivery, type AutomationDeliveryOptions } from './automationDelivery.ts';
import { fireDueTimers } from './fireDueTimers.ts';

export type AutomationDispatcherOptions = AutomationDeliveryOptions & {
  readonly rules: TriggerRules;
  /** how often to look for due retries and timers without being woken (default 100 ms) */
  readonly pollMs?: number;
  /** deliveries in flight at once (default 32) */
  readonly concurrency?: number;
  /** how often the timers are checked (default 1 s) */
  readonly timerTickMs?: number;
};

const DEFAULT_CONCURRENCY = 32;

/**
 * The delivery worker: fires due timers into the outbox and drains the outbox through the senders,
 * no delivery in flight twice. A commit that enqueued wakes it; otherwise it looks every `pollMs`.
 * Run one per outbox.
 */
export class AutomationDispatcher {
  private readonly delivery: AutomationDelivery;
  private readonly inFlight = new Map<string, Promise<void>>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private woken = false;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastTimerTick = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: AutomationStore,
    private readonly automations: CompiledAutomations,
    private readonly senders: AutomationSenders,
    private readonly clock: Clock,
    private readonly options: AutomationDispatcherOptions,
  ) {
    this.delivery = new AutomationDelivery(store, automations, senders, clock, options);
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.unsubscribe = this.store.onEnqueued(() => this.poke());
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.poke();
    await this.running;
    await Promise.all(this.inFlight.values());
    this.running = undefined;
    for (const sender of Object.values(this.senders)) await sender.close?.();
  }

  /** fires due timers, delivers what is due now and waits for it; returns how many deliveries were attempted */
  async drainOnce(): Promise<number> {
    await this.tickTimers(true);
    let attempted = 0;
    for (;;) {
      const started = await this.pump();
      await Promise.all(this.inFlight.values());
      attempted += started;
      if (started === 0) return attempted;
    }
  }

  private poke(): void {
    this.woken = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      try {
        await this.tickTimers(false);
        await this.pump();
      } catch (error) {
        this.logger.error({ err: error }, 'the automation worker failed to read its outbox; retrying');
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

  private async tickTimers(force: boolean): Promise<void> {
    const now = this.clock.now();
    if (!force && now - this.lastTimerTick < (this.options.timerTickMs ?? 1_000)) return;
    this.lastTimerTick = now;
    await fireDueTimers(this.store, this.automations, this.options.rules, now);
  }

  /** starts the due deliveries the free slots allow; returns how many it started */
  private async pump(): Promise<number> {
    const width = this.options.concurrency ?? DEFAULT_CONCURRENCY;
    const room = width - this.inFlight.size;
    if (room <= 0 || this.stopped) return 0;
    const due = await this.store.due(new Date(this.clock.now()).toISOString(), room + this.inFlight.size);
    let started = 0;
    for (const delivery of due) {
      if (this.inFlight.size >= width) break;
      if (this.inFlight.has(delivery.id)) continue;
      started++;
      const attempt = this.delivery
        .deliver(delivery)
        .then(
          () => undefined,
          (error: unknown) =>
            this.logger.error(
              { err: error, delivery: delivery.id },
              `the automation worker failed to update ${delivery.id}; retrying`,
            ),
        )
        .finally(() => {
          this.inFlight.delete(delivery.id);
          // refill once a quarter of the slots is free: each read returns the deliveries in
          // flight too, so reading after every finished one cost more than the sends (at
          // 1,000 webhooks/s the worker fell seconds behind)
          if (width - this.inFlight.size >= Math.max(1, Math.floor(width / 4))) this.poke();
        });
      this.inFlight.set(delivery.id, attempt);
    }
    return started;
  }
}
