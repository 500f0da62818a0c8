import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { partitionKeyOf } from '../domain/raw/ingestRawEvent.ts';
import type { IngestedEvent } from '../domain/raw/rawEvent.ts';
import type { ConsumeOptions, RawConsumer, RawDelivery, RawLog } from './rawLog.ts';

/** generous: a liveness bound that fails a hung test, not a performance assertion */
const PATIENCE_MS = 5_000;

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const eventually = async (condition: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + PATIENCE_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${PATIENCE_MS} ms waiting for ${what}`);
    await pause(5);
  }
};

let n = 0;
export const rawEvent = (user: string, options: { messageId?: string; anonymous?: boolean } = {}): IngestedEvent => {
  const at = new Date(Date.UTC(2026, 0, 31, 12, 0, 0, ++n)).toISOString();
  return {
    type: 'track',
    event: 'Tested',
    ...(options.anonymous ? { anonymousId: user } : { userId: user }),
    properties: { n },
    messageId: options.messageId ?? randomUUID(),
    timestamp: at,
    receivedAt: at,
  };
};

/** what a log promises, from its declared capabilities (see RawLogCapabilities) */
export type RawLogSemantics = {
  readonly ordered: boolean;
  readonly exactDuplicates: boolean;
  readonly pendingCountsEvents: boolean;
};

/** `unacknowledged` events are pending: that count exactly, or 1 to that count of messages */
export const expectPending = async (
  log: RawLog,
  group: string,
  unacknowledged: number,
  semantics: RawLogSemantics,
): Promise<void> => {
  const pending = await log.pending(group);
  if (semantics.pendingCountsEvents || unacknowledged === 0) expect(pending).toBe(unacknowledged);
  else {
    expect(pending).toBeGreaterThanOrEqual(1);
    expect(pending).toBeLessThanOrEqual(unacknowledged);
  }
};

export const messageIdsOf = (events: readonly IngestedEvent[]): string[] => events.map((e) => e.messageId);

/**
 * Every published event delivered exactly once, each partition key's events in publish
 * order, and, for a log with one global order, all of them in publish order.
 */
export const expectDeliveredInOrder = (
  handled: readonly IngestedEvent[],
  published: readonly IngestedEvent[],
  orderedAcrossPartitions: boolean,
): void => {
  if (orderedAcrossPartitions) {
    expect(messageIdsOf(handled)).toEqual(messageIdsOf(published));
    return;
  }
  const keys = [...new Set(published.map(partitionKeyOf))];
  const ofKey = (events: readonly IngestedEvent[], key: string) =>
    messageIdsOf(events.filter((e) => partitionKeyOf(e) === key));
  expect(keys.map((key) => ofKey(handled, key))).toEqual(keys.map((key) => ofKey(published, key)));
  expect(handled).toHaveLength(published.length);
};

/** the messageIds in a dead letter's payload: one event, or a list of them */
export const payloadMessageIds = (payload: unknown): string[] =>
  (Array.isArray(payload) ? payload : [payload]).flatMap((p) =>
    typeof p === 'object' && p !== null && typeof (p as { messageId?: unknown }).messageId === 'string'
      ? [(p as { messageId: string }).messageId]
      : [],
  );

/** A consumer that records every delivery and what it acknowledged; `fail` decides which attempts throw. */
export class Recorder {
  readonly deliveries: RawDelivery[] = [];
  readonly handled: IngestedEvent[] = [];
  private consumer: RawConsumer | undefined;

  constructor(private readonly fail: (delivery: RawDelivery) => string | undefined = () => undefined) {}

  start(log: RawLog, options: ConsumeOptions): this {
    this.consumer = log.consume(options, async (delivery) => {
      this.deliveries.push(delivery);
      const reason = this.fail(delivery);
      if (reason !== undefined) throw new Error(reason);
      this.handled.push(...delivery.events);
    });
    return this;
  }

  async until(count: number): Promise<void> {
    await eventually(() => this.handled.length >= count, `${count} handled events, got ${this.handled.length}`);
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
