import type { RawConsumer } from '../../application/ports/rawLog/rawLog.ts';

/** The consumers a log has started, so that closing the log stops every one still running. */
export class ConsumerSet {
  private readonly consumers = new Set<RawConsumer>();

  track(consumer: RawConsumer): RawConsumer {
    const tracked: RawConsumer = {
      stop: async () => {
        this.consumers.delete(tracked);
        await consumer.stop();
      },
    };
    this.consumers.add(tracked);
    return tracked;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
  }
}
