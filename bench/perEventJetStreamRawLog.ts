import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DeadLetter, PublishReceipt, RawConsumer, RawLog } from '../application/ports/rawLog/rawLog.ts';
import { partitionKeyOf } from '../domain/raw/ingestRawEvent.ts';
import type { IngestedEvent } from '../domain/raw/rawEvent.ts';
import { connectNats } from '../infrastructure/nats/natsConnection.ts';
import {
  ensureRawStreams,
  partitionOf,
  partitionSubject,
  type RawStreamNames,
} from '../infrastructure/nats/rawStreams.ts';

/**
 * The naive baseline of the NATS ingest bench: one JetStream message per event (Nats-Msg-Id =
 * messageId), a request's publishes all in flight and awaited before answering. Publish only, measured
 * beside the grouped JetStreamRawLog.
 */
export class PerEventJetStreamRawLog implements RawLog {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly names: RawStreamNames,
  ) {}

  static async open(url: string, names: RawStreamNames): Promise<PerEventJetStreamRawLog> {
    const nc = await connectNats(url);
    await ensureRawStreams(await jetstreamManager(nc), names, {
      duplicateWindowMs: 3_600_000,
      maxAgeMs: 3_600_000,
      maxBytes: 0,
      replicas: 1,
    });
    return new PerEventJetStreamRawLog(nc, names);
  }

  async publish(events: readonly IngestedEvent[]): Promise<PublishReceipt> {
    const js = jetstream(this.nc);
    const acks = await Promise.all(
      events.map((event) =>
        js.publish(
          partitionSubject(this.names, partitionOf(partitionKeyOf(event), this.names.partitions)),
          JSON.stringify(event),
          { msgID: event.messageId },
        ),
      ),
    );
    const duplicates = acks.filter((ack) => ack.duplicate).length;
    return { stored: events.length - duplicates, duplicates };
  }

  consume(): RawConsumer {
    throw new Error('PerEventJetStreamRawLog is a publish-only bench baseline');
  }

  async reject(_items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void> {}

  async listRejected(): Promise<DeadLetter[]> {
    return [];
  }

  async pending(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
