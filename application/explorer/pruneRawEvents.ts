import type { RawEventIndex } from '../ports/rawEventIndex/rawEventIndex.ts';

const DAY_MS = 86_400_000;

/**
 * Removes index rows received more than `retentionDays` before `now`, `batchSize` at a time with a
 * yield in between, so a large backlog never holds the write lock (or the thread) for long.
 */
export const pruneRawEvents = async (
  index: Pick<RawEventIndex, 'prune'>,
  now: number,
  retentionDays: number,
  batchSize = 2_000,
): Promise<number> => {
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
  let removed = 0;
  for (;;) {
    const n = await index.prune(cutoff, batchSize);
    removed += n;
    if (n < batchSize) return removed;
    await new Promise((resolve) => setImmediate(resolve));
  }
};

const HOUR_MS = 3_600_000;

/** Prunes now and then every hour until the returned stop is called; a failed run is logged and retried next hour. */
export const startRawEventRetention = (
  index: Pick<RawEventIndex, 'prune'>,
  options: {
    readonly now: () => number;
    readonly retentionDays: number;
    readonly onError: (error: unknown) => void;
    readonly intervalMs?: number;
  },
): (() => Promise<void>) => {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = pruneRawEvents(index, options.now(), options.retentionDays).catch(options.onError);
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? HOUR_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
};
