import { type Logger, silentLogger } from '../ports/logger.ts';

/** an index that copies the raw log's stored events in itself (SqliteRawEventIndex with its raw log attached) */
export type StoredEventCopier = {
  copyStored(limit: number): Promise<{ readonly read: number; readonly copied: number; readonly logHead: number }>;
};

export type FollowStoredEventsOptions = {
  /** pause after a copy that emptied the backlog: the live explorer shows an event within it */
  readonly flushMs: number;
  /** pause after finding nothing new */
  readonly pollMs: number;
  /** most raw events one copy (one transaction) takes */
  readonly maxRows?: number;
  /** the log growing faster than this (events/s) is heavy ingest */
  readonly heavyPerSecond?: number;
  /** under heavy ingest, the share of the time spent copying (the rest is the collector's) */
  readonly heavyDuty?: number;
  /** after each copy that added rows */
  readonly onCopied?: () => void;
  readonly logger?: Logger;
  /** for tests */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

/** how long after the last event found the loop keeps looking at the flush pace instead of polling */
const ACTIVE_MS = 1_000;

const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Keeps the index's pending rows up with the raw log by copying. While the log grows fast (a burst of
 * ingest) it copies less often, in larger batches, and for at most `heavyDuty` of the time, so on a
 * small machine the collector keeps its CPU; it catches up at full speed once the burst is over.
 */
export const followStoredEvents = (copier: StoredEventCopier, options: FollowStoredEventsOptions) => {
  const maxRows = options.maxRows ?? 10_000;
  const heavyPerSecond = options.heavyPerSecond ?? 5_000;
  const heavyDuty = options.heavyDuty ?? 0.2;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  const stop = new AbortController();

  const run = async (): Promise<void> => {
    let last: { head: number; at: number } | undefined;
    let lastCopied = Number.NEGATIVE_INFINITY;
    let failures = 0;
    while (!stop.signal.aborted) {
      const started = now();
      let copy: Awaited<ReturnType<StoredEventCopier['copyStored']>>;
      try {
        copy = await copier.copyStored(maxRows);
        failures = 0;
      } catch (error) {
        failures++;
        if (failures === 1)
          logger.warn(
            { err: error },
            'cannot copy stored raw events into the explorer index; retrying (the explorer shows them late); check the disk under JOURNEY_DATA_DIR',
          );
        await sleep(Math.min(5_000, options.pollMs * 2 ** Math.min(failures, 6)), stop.signal);
        continue;
      }
      const took = now() - started;
      if (copy.read > 0) lastCopied = started;
      if (copy.copied > 0) options.onCopied?.();
      const growth =
        last === undefined || started <= last.at ? 0 : ((copy.logHead - last.head) * 1000) / (started - last.at);
      last = { head: copy.logHead, at: started };
      let pause: number;
      // a steady trickle arrives between copies now and then: poll at the flush pace while it lasts
      if (copy.read === 0) pause = started - lastCopied < ACTIVE_MS ? options.flushMs : options.pollMs;
      else if (growth > heavyPerSecond) pause = Math.max(options.flushMs, (took * (1 - heavyDuty)) / heavyDuty);
      else if (copy.read >= maxRows) pause = 0;
      else pause = options.flushMs;
      // even at 0: a macrotask, so the thread's messages (the mapper's outcomes, stop) get in between
      await sleep(pause, stop.signal);
    }
  };

  const running = run();
  return {
    async stop(): Promise<void> {
      stop.abort();
      await running;
    },
  };
};
