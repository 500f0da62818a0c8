import {
  type AllSubscription,
  type Position,
  type RecordedEvent,
  START,
  type SubscribeAllOptions,
} from '../../application/ports/eventStore/eventStore.ts';
import { WakeSignal } from './wakeSignal.ts';

export type ReadAfter = (
  from: Position,
  maxCount: number,
  streamPrefix: string | undefined,
) => Promise<readonly RecordedEvent[]>;

export type PollingOptions = {
  /** how often to look for events other processes appended */
  readonly pollIntervalMs: number;
  readonly defaultBatchSize: number;
};

/**
 * Catch-up subscriptions on a log read by position (memory, SQLite): read after the last delivered
 * position; when caught up, sleep until this process appends or the poll interval passes. Positions
 * follow commit order, so nothing is skipped or repeated.
 */
export class PollingSubscriptions {
  private readonly signal = new WakeSignal();
  private readonly open = new Set<PollingSubscription>();

  constructor(
    private readonly read: ReadAfter,
    private readonly options: PollingOptions,
  ) {}

  subscribe(options: SubscribeAllOptions = {}): AllSubscription {
    const subscription = new PollingSubscription(
      this.read,
      this.signal,
      options.fromPosition ?? START,
      options.batchSize ?? this.options.defaultBatchSize,
      options.streamPrefix,
      this.options.pollIntervalMs,
      (s) => this.open.delete(s),
    );
    this.open.add(subscription);
    return subscription;
  }

  /** call after events were committed */
  notify(): void {
    this.signal.notify();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.close()));
  }
}

class PollingSubscription implements AllSubscription {
  private closed = false;
  private readonly stop = new AbortController();
  private iterator: AsyncGenerator<readonly RecordedEvent[], void, undefined> | undefined;
  private finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly read: ReadAfter,
    private readonly signal: WakeSignal,
    private position: Position,
    private readonly batchSize: number,
    private readonly streamPrefix: string | undefined,
    private readonly pollIntervalMs: number,
    private readonly onClose: (s: PollingSubscription) => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<readonly RecordedEvent[]> {
    this.iterator ??= this.iterate();
    return this.iterator;
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.stop.abort();
      this.onClose(this);
    }
    // a read already under way finishes before the caller may close the store beneath it
    await this.finished;
  }

  private async *iterate(): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
    try {
      while (!this.closed) {
        const since = this.signal.generation;
        const reading = this.read(this.position, this.batchSize, this.streamPrefix);
        this.finished = reading.then(
          () => undefined,
          () => undefined,
        );
        const batch = await reading;
        if (this.closed) return;
        const last = batch.at(-1);
        if (last === undefined) {
          await this.signal.wait(this.pollIntervalMs, since, this.stop.signal);
          continue;
        }
        this.position = last.position;
        yield batch;
      }
    } finally {
      if (!this.closed) {
        this.closed = true;
        this.onClose(this);
      }
    }
  }
}
