import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  ErrorType,
  START as ESDB_START,
  type EventStoreDBClient,
  eventTypeFilter,
  isCommandError,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  type AllSubscription,
  comparePositions,
  type Position,
  type RecordedEvent,
  START,
} from '../../application/ports/eventStore/eventStore.ts';
import { toRecordedEvent } from './esdbRecordedEvent.ts';

export type EsdbSubscriptionOptions = {
  readonly from: Position;
  readonly streamPrefix: string | undefined;
  readonly batchSize: number;
  /** first resubscribe delay; doubles up to 2 s */
  readonly reconnectDelayMs: number;
  /** consecutive failed resubscribes before the iteration fails */
  readonly maxReconnects: number;
  readonly translate: (error: unknown) => Error;
  /** called once when the subscription closes, however it was closed */
  readonly onClose: () => void;
};

/** errors after which a new subscription can carry on: the server went away or restarted */
const RECOVERABLE = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
]);
const isRecoverable = (error: unknown): boolean =>
  error instanceof Error && isCommandError(error) && RECOVERABLE.has((error as { type: string }).type);

/** events buffered before the client's stream is paused, so a slow consumer holds back the server */
const HIGH_WATER = 2_000;

/**
 * The port's catch-up subscription on `subscribeToAll`, handing out queued events in batches of up to
 * `batchSize`. After a drop it subscribes again from the last event received and compares every
 * position with it: no gap, no repeat.
 */
export class EsdbAllSubscription implements AllSubscription {
  private readonly queue: RecordedEvent[] = [];
  private last: Position;
  private source: AllStreamSubscription | undefined;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private reconnects = 0;
  private timer: NodeJS.Timeout | undefined;
  private iterator: AsyncGenerator<readonly RecordedEvent[], void, undefined> | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbSubscriptionOptions,
  ) {
    this.last = options.from;
    this.open();
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly RecordedEvent[]> {
    this.iterator ??= this.iterate();
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose();
    clearTimeout(this.timer);
    this.wake?.();
    const source = this.source;
    this.source = undefined;
    await source?.unsubscribe();
  }

  private open(): void {
    const { streamPrefix } = this.options;
    const source = this.client.subscribeToAll({
      fromPosition: comparePositions(this.last, START) === 0 ? ESDB_START : this.last,
      filter: streamPrefix ? streamNameFilter({ prefixes: [streamPrefix] }) : eventTypeFilter({ regex: '^[^$].*' }),
    });
    this.source = source;
    source.on('confirmation', () => {
      this.reconnects = 0;
    });
    source.on('data', (resolved: AllStreamResolvedEvent) => this.receive(resolved));
    source.on('error', (error: Error) => this.dropped(source, error));
    // the server ending a subscription is a drop too: a subscription never completes
    source.on('end', () => this.dropped(source, undefined));
  }

  private receive(resolved: AllStreamResolvedEvent): void {
    if (this.closed) return;
    const event = toRecordedEvent(resolved.event);
    // a resubscription starts after `last`; this guards against a server that includes it
    if (comparePositions(event.position, this.last) <= 0) return;
    this.last = event.position;
    this.queue.push(event);
    if (this.queue.length >= HIGH_WATER) this.source?.pause();
    this.wake?.();
  }

  private dropped(source: AllStreamSubscription, error: Error | undefined): void {
    if (this.closed || source !== this.source) return;
    this.source = undefined;
    void source.unsubscribe().catch(() => undefined);
    if ((error === undefined || isRecoverable(error)) && this.reconnects < this.options.maxReconnects) {
      const delay = Math.min(2_000, this.options.reconnectDelayMs * 2 ** this.reconnects);
      this.reconnects++;
      this.timer = setTimeout(() => {
        if (!this.closed) this.open();
      }, delay);
      return;
    }
    this.failure = this.options.translate(error ?? new Error('the subscription ended'));
    this.wake?.();
  }

  private async *iterate(): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
    try {
      while (!this.closed) {
        if (this.queue.length > 0) {
          const batch = this.queue.splice(0, this.options.batchSize);
          if (this.queue.length < HIGH_WATER / 2) this.source?.resume();
          yield batch;
          continue;
        }
        if (this.failure) throw this.failure;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } finally {
      await this.close();
    }
  }
}
