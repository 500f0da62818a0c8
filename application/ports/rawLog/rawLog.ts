import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';

/**
 * The raw log port: accepted raw events, durable before the collector answers 200, consumed
 * by the mapper with at-least-once delivery. Adapters: memory, SQLite (embedded), NATS
 * JetStream.
 *
 * - `publish` resolves only once every event is durably stored. Repeats of a messageId within
 *   one publish, and a publish repeating earlier events (a client's retry), are suppressed
 *   (counted as duplicates), so client retries are harmless. The embedded logs suppress every
 *   messageId already in the log; a log that groups a publish into a few messages (JetStream)
 *   may deliver an event again when it comes back inside a different publish, so consumers
 *   are idempotent by messageId (the mapper's event ids derive from it).
 * - Events of one partition key (`partitionKeyOf`: the user, else the anonymous id) are
 *   delivered in publish order.
 * - A consumer group sees each event until its handler resolves for the delivery holding it;
 *   a handler that throws gets the delivery again later (with backoff), and after
 *   `maxDeliveries` attempts the delivery's events are dead-lettered with the error as reason.
 * - Invalid input is never dropped in silence: `reject` keeps it with its reason.
 */
export type RawDelivery = {
  readonly events: readonly IngestedEvent[];
  /** 1 on the first attempt */
  readonly deliveryCount: number;
};

export type PublishReceipt = { readonly stored: number; readonly duplicates: number };

export type DeadLetter = {
  readonly id: string;
  readonly at: string;
  /** which stage refused it: the collector (invalid input) or the mapper (unmappable) */
  readonly stage: 'collector' | 'mapper';
  readonly reason: string;
  readonly payload: unknown;
};

export type ConsumeOptions = {
  readonly group: string;
  readonly batchSize?: number;
  readonly maxDeliveries?: number;
};

export interface RawConsumer {
  /**
   * stops fetching, waits for the delivery in flight (JetStream: the rest of the message in
   * hand, so that it is acknowledged whole), then resolves
   */
  stop(): Promise<void>;
}

export interface RawLog {
  publish(events: readonly IngestedEvent[]): Promise<PublishReceipt>;
  consume(options: ConsumeOptions, handler: (delivery: RawDelivery) => Promise<void>): RawConsumer;
  reject(items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void>;
  listRejected(options?: { readonly limit?: number }): Promise<DeadLetter[]>;
  /**
   * what the group has not acknowledged yet: events (embedded logs) or messages of one or
   * more events (JetStream); 0 exactly when the group has acknowledged everything
   */
  pending(group: string): Promise<number>;
  close(): Promise<void>;
}

export const RawLogToken = Symbol.for('journey.RawLog');
