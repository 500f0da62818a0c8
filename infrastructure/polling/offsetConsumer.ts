import type { ConsumeOptions, RawConsumer, RawDelivery } from '../../application/ports/rawLog/rawLog.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { blamesTheStorage } from './blamesTheStorage.ts';
import { sleep, type WakeSignal } from './wakeSignal.ts';

export type OffsetLogEntry = { readonly seq: number; readonly event: IngestedEvent };

/** The storage an offset-based raw log (memory, SQLite) gives the shared consumer loop. */
export interface OffsetLogBackend {
  /** the last acknowledged seq of the group, 0 when it never acknowledged anything */
  readOffset(group: string): number;
  readAfter(seq: number, limit: number): OffsetLogEntry[];
  ack(group: string, seq: number): void;
  /** moves the entries to the dead letters and acknowledges them, atomically */
  deadLetter(group: string, entries: readonly OffsetLogEntry[], reason: string): void;
}

export type ConsumerTiming = {
  /** first retry delay after a failed delivery; doubles per attempt */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** how often an idle consumer looks for events other processes published */
  readonly pollIntervalMs: number;
};

/** defaults: retry after 50 ms, doubling up to 5 s; poll every 50 ms when idle */
export const consumerTiming = (options: Partial<ConsumerTiming> = {}): ConsumerTiming => ({
  retryInitialMs: options.retryInitialMs ?? 50,
  retryMaxMs: options.retryMaxMs ?? 5_000,
  pollIntervalMs: options.pollIntervalMs ?? 50,
});

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The consume loop of an offset-based log: one delivery in flight per group, acked by moving the
 * offset once the handler resolves. A failed delivery is retried as the same events, then
 * dead-lettered so one poisonous event cannot stall the rest. One consumer per group.
 */
export const startOffsetConsumer = (
  backend: OffsetLogBackend,
  published: WakeSignal,
  timing: ConsumerTiming,
  options: ConsumeOptions,
  handler: (delivery: RawDelivery) => Promise<void>,
): RawConsumer => {
  const { group } = options;
  const batchSize = options.batchSize ?? 500;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const stop = new AbortController();
  const backoff = (attempt: number): number =>
    Math.min(timing.retryMaxMs, timing.retryInitialMs * 2 ** Math.max(0, attempt - 1));

  const run = async (): Promise<void> => {
    let offset = -1;
    let current: { entries: OffsetLogEntry[]; attempts: number; deadReason?: string } | undefined;
    let storageFailures = 0;
    while (!stop.signal.aborted) {
      try {
        if (offset < 0) offset = backend.readOffset(group);
        if (current === undefined) {
          const since = published.generation;
          const entries = backend.readAfter(offset, batchSize);
          if (entries.length === 0) {
            await published.wait(timing.pollIntervalMs, since, stop.signal);
            continue;
          }
          current = { entries, attempts: 0 };
        }
      } catch {
        // storage trouble (busy, disk): keep the loop alive and try again later
        storageFailures++;
        await sleep(backoff(storageFailures), stop.signal);
        continue;
      }
      storageFailures = 0;
      const delivery = current;
      const { entries } = delivery;
      const last = entries[entries.length - 1]?.seq ?? offset;
      if (delivery.deadReason === undefined) {
        delivery.attempts++;
        try {
          await handler({ events: entries.map((e) => e.event), deliveryCount: delivery.attempts });
          backend.ack(group, last);
          offset = last;
          current = undefined;
          continue;
        } catch (error) {
          if (stop.signal.aborted) return;
          // a full disk or a database away is not the events' fault: retried, never dead-lettered
          if (delivery.attempts < maxDeliveries || blamesTheStorage(error)) {
            await sleep(backoff(delivery.attempts), stop.signal);
            continue;
          }
          delivery.deadReason = reasonOf(error);
        }
      }
      try {
        backend.deadLetter(group, entries, delivery.deadReason ?? 'the handler failed');
      } catch {
        await sleep(backoff(delivery.attempts), stop.signal);
        continue;
      }
      offset = last;
      current = undefined;
    }
  };

  const running = run();
  return {
    async stop(): Promise<void> {
      stop.abort();
      await running;
    },
  };
};
