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
