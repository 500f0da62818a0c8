import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';

/**
 * The raw log port: events durable before the collector answers 200, delivered at least once and in
 * publish order per partition key. Retries are suppressed by messageId, but a grouped log (JetStream)
 * may redeliver an event, so consumers are idempotent by messageId.
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
