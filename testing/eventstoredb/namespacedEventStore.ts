import { randomUUID } from 'node:crypto';
import type {
  AllSubscription,
  EventStore,
  ReadAllOptions,
  RecordedEvent,
  SubscribeAllOptions,
} from '../../application/ports/eventStore/eventStore.ts';

/**
 * Test support: makes a shared, never-empty EventStoreDB look fresh to the contract suite by
 * namespacing every stream id and filtering `$all` reads on it. Positions stay the server's, and the
 * adapter's system-event filter is bypassed (the emulator run covers it).
 */
export class NamespacedEventStore implements EventStore {
  private readonly namespace = `t${randomUUID().replaceAll('-', '')}-`;

  constructor(private readonly inner: EventStore) {}

  append: EventStore['append'] = (streamId, events, options) =>
    this.inner.append(this.namespace + streamId, events, options);

  readStream: EventStore['readStream'] = async (streamId, options) =>
    (await this.inner.readStream(this.namespace + streamId, options)).map(this.strip);

  readAll = async (options: ReadAllOptions = {}): Promise<RecordedEvent[]> =>
    (await this.inner.readAll({ ...options, streamPrefix: this.prefixed(options.streamPrefix) })).map(this.strip);

  subscribeAll(options: SubscribeAllOptions = {}): AllSubscription {
    const inner = this.inner.subscribeAll({ ...options, streamPrefix: this.prefixed(options.streamPrefix) });
    const strip = this.strip;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const batch of inner) yield batch.map(strip);
      },
      close: () => inner.close(),
    };
  }

  headPosition: EventStore['headPosition'] = (options = {}) =>
    this.inner.headPosition({ streamPrefix: this.prefixed(options.streamPrefix) });

  close = (): Promise<void> => this.inner.close();

  private prefixed(prefix: string | undefined): string {
    return this.namespace + (prefix ?? '');
  }

  private readonly strip = (event: RecordedEvent): RecordedEvent => ({
    ...event,
    streamId: event.streamId.slice(this.namespace.length),
  });
}
