/** Summary of one figure measured several times: the median is the figure, min–max the spread. */
export type Summary = {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / median: how much this machine's noise moved the figure in this run */
  readonly spread: number;
  readonly samples: readonly number[];
};

export const summarize = (samples: readonly number[]): Summary => {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const min = sorted[0] ?? 0;
  const max = sorted[sorted.length - 1] ?? 0;
  return { median, min, max, spread: median === 0 ? 0 : (max - min) / median, samples };
};

/** events per second from a count and a `performance.now()` interval */
export const perSecond = (count: number, startMs: number, endMs: number): number =>
  endMs > startMs ? (count * 1000) / (endMs - startMs) : 0;

/** lets pending I/O callbacks and timers run, so one measurement does not bleed into the next */
export const settle = (ms = 200): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
