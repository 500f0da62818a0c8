import type { IdentityLink } from '../../domain/identity/identityLinkOf.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import type { RawEventIndex, RawEventOutcome } from '../ports/rawEventIndex/rawEventIndex.ts';

export type RawEventRecorderOptions = {
  /** how long a write waits for more to join it */
  readonly flushMs?: number;
  /** a buffer this full is written at once */
  readonly flushAt?: number;
  /** outcomes beyond this are dropped (and counted in a warning) rather than grow memory while the index is stuck */
  readonly maxBuffered?: number;
  readonly logger?: Logger;
};

type Waiter = { resolve: () => void; reject: (error: unknown) => void };

/**
 * Feeds the raw-event index in batches, off the mapper's path: the mapper hands its outcomes over
 * synchronously and goes on; one transaction every `flushMs` writes what gathered. Stored events (from
 * the raw log's `explorer` group) wait for their write, so the group acknowledges only what is indexed.
 */
export class RawEventRecorder {
  private stored: IngestedEvent[] = [];
  private outcomes: RawEventOutcome[] = [];
  private links: IdentityLink[] = [];
  private waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  private readonly flushMs: number;
  private readonly flushAt: number;
  private readonly maxBuffered: number;
  private readonly logger: Logger;

  constructor(
    private readonly index: Pick<RawEventIndex, 'record'>,
    options: RawEventRecorderOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 100;
    this.flushAt = options.flushAt ?? 1_000;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.logger = options.logger ?? silentLogger;
  }

  /** indexes events the raw log stored as pending; resolves once written */
  readonly recordStored = (events: readonly IngestedEvent[]): Promise<void> => {
    this.stored.push(...events);
    const written = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return written;
  };

  /** the mapper's listener (MappedListener): never waits, never throws */
  readonly recordMapped = (outcomes: readonly RawEventOutcome[], links: readonly IdentityLink[]): void => {
    if (this.outcomes.length + outcomes.length > this.maxBuffered) {
      this.dropped += outcomes.length;
      return;
    }
    this.outcomes.push(...outcomes);
    this.links.push(...links);
    this.schedule();
  };

  /** writes what is buffered now (and waits for a write in progress) */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private schedule(): void {
    if (this.stored.length + this.outcomes.length >= this.flushAt) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  private async write(): Promise<void> {
    const batch = { stored: this.stored, outcomes: this.outcomes, links: this.links };
    const waiters = this.waiters;
    this.stored = [];
    this.outcomes = [];
    this.links = [];
    this.waiters = [];
    if (this.dropped > 0) {
      this.logger.warn(
        { dropped: this.dropped },
        'the raw-event index fell behind: some mapping outcomes were not indexed (the explorer shows those events as pending); check the disk under JOURNEY_DATA_DIR',
      );
      this.dropped = 0;
    }
    if (batch.stored.length + batch.outcomes.length + batch.links.length === 0) return;
    try {
      await this.index.record(batch);
      for (const w of waiters) w.resolve();
    } catch (error) {
      // stored events are delivered again (their group did not acknowledge); outcomes are not
      this.logger.warn(
        { err: error, outcomes: batch.outcomes.length },
        'cannot write to the raw-event index; the explorer misses these outcomes until the events are mapped again',
      );
      for (const w of waiters) w.reject(error);
    }
  }
}
