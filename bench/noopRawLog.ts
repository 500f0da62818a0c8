import type { DeadLetter, PublishReceipt, RawConsumer, RawLog } from '../application/ports/rawLog/rawLog.ts';
import type { IngestedEvent } from '../domain/raw/rawEvent.ts';

/**
 * A raw log that stores nothing: `publish` resolves at once. Behind the real collector it
 * measures what HTTP, JSON parsing, zod validation and stamping cost without storage, so the
 * durable figure can be read as "this much of the parse-only ceiling".
 */
export class NoopRawLog implements RawLog {
  private published = 0;

  async publish(events: readonly IngestedEvent[]): Promise<PublishReceipt> {
    this.published += events.length;
    return { stored: events.length, duplicates: 0 };
  }

  consume(): RawConsumer {
    return { stop: async () => {} };
  }

  async reject(_items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void> {}

  async listRejected(): Promise<DeadLetter[]> {
    return [];
  }

  async pending(): Promise<number> {
    return 0;
  }

  /** events "published" so far */
  count(): number {
    return this.published;
  }

  async close(): Promise<void> {}
}
