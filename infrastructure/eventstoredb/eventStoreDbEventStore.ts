import {
  BACKWARDS,
  END,
  ErrorType,
  START as ESDB_START,
  EventStoreDBClient,
  FORWARDS,
  isCommandError,
} from '@eventstore/db-client';
import {
  type AllSubscription,
  ANY,
  type AppendResult,
  comparePositions,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  START,
  type SubscribeAllOptions,
} from '../../application/ports/eventStore/eventStore.ts';
import { ConfigError, UnavailableError } from '../../domain/errors/journeyError.ts';
import { appendIdempotently } from './appendIdempotently.ts';
import { EsdbAllSubscription } from './esdbAllSubscription.ts';
import { appendToEsdb } from './esdbAppend.ts';
import { redact, translateEsdbError } from './esdbErrors.ts';
import { toRecordedEvent } from './esdbRecordedEvent.ts';
import { filteredAllRead } from './filteredAllRead.ts';
import { StreamIdCache } from './streamIdCache.ts';

export type EventStoreDbEventStoreOptions = {
  /** how many events' ids the streams' indexes hold together before the least recently used go; default 1,000,000 */
  readonly idCacheEvents?: number;
  /** default subscription batch size; default 500 */
  readonly batchSize?: number;
  /** first delay before a dropped subscription resubscribes; default 100 ms */
  readonly reconnectDelayMs?: number;
  /** consecutive failed resubscribes before a subscription fails; default 30 */
  readonly maxReconnects?: number;
  /** how long ready() waits for the server; default 5000 ms */
  readonly readyTimeoutMs?: number;
};

const isStreamNotFound = (error: unknown): boolean =>
  error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND;

const invalidConnectionStringMessage = (connectionString: string, error: unknown): string =>
  `EVENTSTORE_CONNECTION_STRING=${redact(connectionString)} is not a valid EventStoreDB connection string (${(error as Error).message}); use esdb://host:2113?tls=false for an insecure server`;

/**
 * The event store on EventStoreDB. Appends keep the port's idempotency, stricter than ESDB's, through
 * appendIdempotently and each stream's id index; ids must be UUIDs and are not checked across streams
 * (ESDB has no global index).
 * ESDB's fromPosition is inclusive: the event at it is dropped here.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<AllSubscription>();
  private readonly ids: StreamIdCache;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly options: EventStoreDbEventStoreOptions = {},
  ) {
    try {
      this.client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw new ConfigError(invalidConnectionStringMessage(connectionString, error));
    }
    this.ids = new StreamIdCache(options.idCacheEvents ?? 1_000_000);
  }

  /** connects and reads once, so that start-up fails fast with a message saying what to change */
  async ready(): Promise<void> {
    await this.guard('connecting', () =>
      filteredAllRead(this.client, {
        from: 'end',
        direction: 'backwards',
        maxCount: 1,
        streamPrefix: undefined,
        deadlineMs: this.options.readyTimeoutMs ?? 5_000,
      }),
    );
  }

  append(
    streamId: string,
    events: readonly EventData[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    return this.guard(`appending to ${streamId}`, () =>
      appendIdempotently(
        {
          readFrom: (revision, count) => this.readStream(streamId, { fromRevision: revision, maxCount: count }),
          write: (toWrite, expected) => appendToEsdb(this.client, streamId, toWrite, expected),
        },
        this.ids,
        streamId,
        events,
        options?.expectedRevision ?? ANY,
      ),
    );
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    return this.guard(`reading ${streamId}`, async () => {
      const events: RecordedEvent[] = [];
      try {
        const read = this.client.readStream(streamId, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision: options.fromRevision ?? (backwards ? END : ESDB_START),
          maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
        });
        for await (const resolved of read) events.push(toRecordedEvent(resolved.event));
      } catch (error) {
        if (isStreamNotFound(error)) return [];
        throw error;
      }
      return events;
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromPosition ?? START;
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const fromStart = comparePositions(from, START) === 0;
    const events = await this.guard('reading $all', () =>
      filteredAllRead(this.client, {
        from: fromStart ? 'start' : from,
        direction: 'forwards',
        // ESDB's fromPosition is inclusive: one more, in case the first is the event at it
        maxCount: fromStart ? maxCount : Math.min(maxCount + 1, Number.MAX_SAFE_INTEGER),
        streamPrefix: options.streamPrefix,
      }),
    );
    return events.filter((e) => comparePositions(e.position, from) > 0).slice(0, maxCount);
  }

  subscribeAll(options: SubscribeAllOptions = {}): AllSubscription {
    this.assertOpen();
    const subscription = new EsdbAllSubscription(this.client, {
      from: options.fromPosition ?? START,
      streamPrefix: options.streamPrefix,
      batchSize: options.batchSize ?? this.options.batchSize ?? 500,
      reconnectDelayMs: this.options.reconnectDelayMs ?? 100,
      maxReconnects: this.options.maxReconnects ?? 30,
      translate: (error) => translateEsdbError(error, this.connectionString, 'subscribing to $all'),
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(options: { readonly streamPrefix?: string } = {}): Promise<Position | null> {
    const [newest] = await this.guard('reading the head of $all', () =>
      filteredAllRead(this.client, {
        from: 'end',
        direction: 'backwards',
        maxCount: 1,
        streamPrefix: options.streamPrefix,
      }),
    );
    return newest?.position ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    await this.client.dispose();
    // dispose() ends the calls but keeps the channel (and its sockets and timers) open
    const internals = this.client as unknown as { getChannel(): Promise<{ close(): void }> };
    (await internals.getChannel()).close();
  }

  private async guard<T>(doing: string, action: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await action();
    } catch (error) {
      throw translateEsdbError(error, this.connectionString, doing);
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new UnavailableError(
        `the EventStoreDB event store on ${redact(this.connectionString)} is closed; create a new one`,
      );
    }
  }
}
