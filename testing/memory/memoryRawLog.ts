import type { DeadLetterQueue } from '../../application/ports/rawLog/deadLetterQueue.ts';
import type {
  ConsumeOptions,
  DeadLetter,
  PublishReceipt,
  RawConsumer,
  RawDelivery,
  RawLog,
} from '../../application/ports/rawLog/rawLog.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { ConsumerSet } from '../../infrastructure/polling/consumerSet.ts';
import {
  type ConsumerTiming,
  consumerTiming,
  type OffsetLogBackend,
  type OffsetLogEntry,
  startOffsetConsumer,
} from '../../infrastructure/polling/offsetConsumer.ts';
import { WakeSignal } from '../../infrastructure/polling/wakeSignal.ts';

export type MemoryRawLogOptions = Partial<ConsumerTiming>;

/**
 * The raw log in one array: the reference adapter for tests and demos. Nothing survives the
 * instance, so "durable" means "stored before publish resolves" and no more. One global
 * order keeps every partition in order.
 */
export class MemoryRawLog implements RawLog, DeadLetterQueue {
  private readonly entries: OffsetLogEntry[] = [];
  private readonly messageIds = new Set<string>();
  private readonly offsets = new Map<string, number>();
  private readonly deadLetters: DeadLetter[] = [];
  /** ids are never reused, removed letters included */
  private lastDeadLetterId = 0;
  private readonly published = new WakeSignal();
  private readonly consumers = new ConsumerSet();
  private readonly timing: ConsumerTiming;
  private closed = false;

  constructor(options: MemoryRawLogOptions = {}) {
    this.timing = consumerTiming(options);
  }

  async publish(events: readonly IngestedEvent[]): Promise<PublishReceipt> {
    this.assertOpen();
    let stored = 0;
    for (const event of events) {
      if (this.messageIds.has(event.messageId)) continue;
      this.messageIds.add(event.messageId);
      this.entries.push({ seq: this.entries.length + 1, event: structuredClone(event) });
      stored++;
    }
    if (stored > 0) this.published.notify();
    return { stored, duplicates: events.length - stored };
  }

  consume(options: ConsumeOptions, handler: (delivery: RawDelivery) => Promise<void>): RawConsumer {
    this.assertOpen();
    return this.consumers.track(startOffsetConsumer(this.backend, this.published, this.timing, options, handler));
  }

  async reject(items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void> {
    this.assertOpen();
    for (const item of items) this.addDeadLetter(item.stage, item.reason, item.payload);
  }

  async listRejected(options: { readonly limit?: number } = {}): Promise<DeadLetter[]> {
    return this.deadLetters
      .slice()
      .reverse()
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  }

  async getRejected(id: string): Promise<DeadLetter | undefined> {
    const letter = this.deadLetters.find((d) => d.id === id);
    return letter === undefined ? undefined : structuredClone(letter);
  }

  async removeRejected(id: string): Promise<boolean> {
    const at = this.deadLetters.findIndex((d) => d.id === id);
    if (at === -1) return false;
    this.deadLetters.splice(at, 1);
    return true;
  }

  async pending(group: string): Promise<number> {
    return this.entries.length - (this.offsets.get(group) ?? 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.consumers.stopAll();
  }

  private readonly backend: OffsetLogBackend = {
    readOffset: (group) => this.offsets.get(group) ?? 0,
    // handlers get copies: a mapper that mutates its input must not change the log
    readAfter: (seq, limit) =>
      this.entries.slice(seq, seq + limit).map((e) => ({ seq: e.seq, event: structuredClone(e.event) })),
    ack: (group, seq) => {
      this.offsets.set(group, seq);
    },
    deadLetter: (group, entries, reason) => {
      for (const entry of entries) this.addDeadLetter('mapper', reason, entry.event);
      const last = entries.at(-1);
      if (last) this.offsets.set(group, last.seq);
    },
  };

  private addDeadLetter(stage: DeadLetter['stage'], reason: string, payload: unknown): void {
    this.deadLetters.push({
      id: String(++this.lastDeadLetterId),
      at: new Date().toISOString(),
      stage,
      reason,
      payload: structuredClone(payload),
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('the memory raw log is closed; create a new one');
  }
}
