import { decideAppend } from '../../application/ports/eventStore/decideAppend.ts';
import {
  type AllSubscription,
  ANY,
  type AppendResult,
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
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import { PollingSubscriptions } from '../../infrastructure/polling/pollingSubscriptions.ts';
import { deepFreeze } from './deepFreeze.ts';

export type MemoryEventStoreOptions = {
  /** nothing else writes to memory, so the poll is only a safety net; default 1000 */
  readonly pollIntervalMs?: number;
};

const positionAt = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const startsWith = (prefix: string | undefined) => (e: RecordedEvent) =>
  prefix === undefined || e.streamId.startsWith(prefix);

/**
 * The reference adapter: the port's rules with nothing else in the way, for unit tests and
 * demos. Positions are 1-based indexes into one array. Stored events are frozen copies, so a
 * reader that mutates what it read fails loudly instead of corrupting the store.
 */
export class MemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly subscriptions: PollingSubscriptions;
  private closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.subscriptions = new PollingSubscriptions(
      async (from, maxCount, prefix) => this.readAllNow({ fromPosition: from, maxCount, streamPrefix: prefix }),
      { pollIntervalMs: options.pollIntervalMs ?? 1_000, defaultBatchSize: 500 },
    );
  }

  async append(
    streamId: string,
    events: readonly EventData[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const head = stream.at(-1);
    const decision = decideAppend(
      streamId,
      events,
      options?.expectedRevision ?? ANY,
      head?.revision,
      events.map((e) => this.byId.get(e.id)),
    );
    if (decision.kind === 'noop') {
      const at = decision.revision < 0n ? undefined : stream[Number(decision.revision)];
      return { nextExpectedRevision: decision.revision, position: at?.position ?? START };
    }
    const recordedAt = new Date().toISOString();
    let last: RecordedEvent | undefined;
    for (const index of decision.indexes) {
      const event = events[index] as EventData;
      last = deepFreeze({
        id: event.id,
        type: event.type,
        data: structuredClone(event.data),
        metadata: structuredClone(event.metadata),
        streamId,
        revision: BigInt(stream.length),
        position: positionAt(this.log.length + 1),
        recordedAt,
      });
      stream.push(last);
      this.log.push(last);
      this.byId.set(last.id, last);
    }
    this.streams.set(streamId, stream);
    this.subscriptions.notify();
    const written = last as RecordedEvent;
    return { nextExpectedRevision: written.revision, position: written.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (options.direction === 'backwards') {
      const from = options.fromRevision === undefined ? stream.length - 1 : Number(options.fromRevision);
      return stream
        .slice(0, Math.max(0, from + 1))
        .reverse()
        .slice(0, max);
    }
    const from = Number(options.fromRevision ?? 0n);
    return stream.slice(from, from + max);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readAllNow(options);
  }

  subscribeAll(options?: SubscribeAllOptions): AllSubscription {
    return this.subscriptions.subscribe(options);
  }

  async headPosition(options: { readonly streamPrefix?: string } = {}): Promise<Position | null> {
    this.assertOpen();
    const matches = startsWith(options.streamPrefix);
    for (let i = this.log.length - 1; i >= 0; i--) {
      const event = this.log[i] as RecordedEvent;
      if (matches(event)) return event.position;
    }
    return null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscriptions.closeAll();
  }

  private readAllNow(options: ReadAllOptions): RecordedEvent[] {
    const from = Number((options.fromPosition ?? START).commit);
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const matches = startsWith(options.streamPrefix);
    const out: RecordedEvent[] = [];
    for (let i = Math.max(0, from); i < this.log.length && out.length < max; i++) {
      const event = this.log[i] as RecordedEvent;
      if (matches(event)) out.push(event);
    }
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('the memory event store is closed; create a new one');
  }
}
