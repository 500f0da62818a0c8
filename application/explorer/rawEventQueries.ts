import type {
  IndexedRawEvent,
  RawEventChange,
  RawEventFilter,
  RawEventIndex,
} from '../ports/rawEventIndex/rawEventIndex.ts';
import { decodeCursor, encodeCursor } from './rawEventCursor.ts';

export type RawEventsAnswer = { readonly events: readonly IndexedRawEvent[]; readonly next: string | null };

export type FollowOptions = {
  /** the last version the client saw (SSE Last-Event-ID), or `currentVersion()` for what changes from now on */
  readonly afterVersion: number;
  readonly pollMs?: number;
  readonly signal: AbortSignal;
};

const CHANGES_PER_POLL = 500;

/** news that the index was written, where the writer runs in this process: returns how to stop listening */
export type IndexWritten = (listener: () => void) => () => void;

/** What the API asks of the raw-event index: pages, and a live follow of changes. */
export class RawEventQueries {
  constructor(
    private readonly index: Pick<RawEventIndex, 'query' | 'changesSince' | 'headVersion'>,
    private readonly written?: IndexWritten,
  ) {}

  async list(
    filter: RawEventFilter,
    page: { readonly before?: string; readonly limit: number },
  ): Promise<RawEventsAnswer> {
    const before = page.before === undefined ? undefined : decodeCursor(page.before);
    const found = await this.index.query(filter, { limit: page.limit, ...(before === undefined ? {} : { before }) });
    return { events: found.events, next: found.next === undefined ? null : encodeCursor(found.next) };
  }

  /** where a follow that starts now starts: read it before telling the client it is connected */
  currentVersion(): Promise<number> {
    return this.index.headVersion();
  }

  /**
   * Each matching event as it is written, and again when its status changes, until `signal` aborts.
   * Polls the index, which another process (the mapper's) may write; a write in this process
   * (`written`) ends the wait at once.
   */
  async *follow(filter: RawEventFilter, options: FollowOptions): AsyncGenerator<RawEventChange> {
    let version = options.afterVersion;
    let news = false;
    let wake: (() => void) | undefined;
    const stopListening = this.written?.(() => {
      news = true;
      wake?.();
    });
    try {
      while (!options.signal.aborted) {
        news = false;
        const { changes, version: next } = await this.index.changesSince(version, filter, CHANGES_PER_POLL);
        version = next;
        yield* changes;
        // a write during the read is news too: read again before waiting
        if (changes.length < CHANGES_PER_POLL && !news)
          await sleep(options.pollMs ?? 250, options.signal, (resolve) => {
            wake = resolve;
          });
        wake = undefined;
      }
    } finally {
      stopListening?.();
    }
  }
}

/** waits `ms`, or until `signal` aborts, or until the function handed to `wakeWith` is called */
const sleep = (ms: number, signal: AbortSignal, wakeWith: (wake: () => void) => void): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    wakeWith(done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
