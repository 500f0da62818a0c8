import type { SoakRestart, SoakSample } from './soakSample.ts';

export type SoakTargets = {
  readonly peakRssMb: number;
  /** the last third's mean RSS may differ from the middle third's by at most this fraction */
  readonly thirdsWithin: number;
  readonly readyMs: number;
  readonly lagBackMs: number;
};

export const SOAK_TARGETS: SoakTargets = { peakRssMb: 300, thirdsWithin: 0.1, readyMs: 5_000, lagBackMs: 15_000 };

export type SoakSummary = {
  readonly samples: number;
  readonly peakTreeRssMb: number;
  /** mean RSS of the process tree over the middle and the last third of the soak (time, not samples) */
  readonly middleThirdRssMb: number;
  readonly lastThirdRssMb: number;
  readonly thirdsRatio: number;
  /** first and last sample's figures, for growth at a glance */
  readonly fds: { readonly first: number; readonly last: number; readonly max: number };
  readonly dataDirMb: { readonly first: number; readonly last: number };
  readonly loopDelayP99Ms: number;
  /** the largest heap of each thread over the soak */
  readonly peakThreadHeapMb: Readonly<Record<string, number>>;
  readonly lagMs: { readonly p50: number; readonly max: number };
  readonly alertP99Ms: { readonly median: number; readonly max: number };
};

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

const sortedPercentile = (xs: readonly number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
};

const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);

/**
 * The soak's series in a few figures. Samples taken while Journey was down are left out of the
 * memory figures (there is no process to measure), not counted as zero.
 */
export const summarizeSoak = (samples: readonly SoakSample[], durationS: number): SoakSummary => {
  const up = samples.filter((s) => s.journeyUp);
  const third = durationS / 3;
  const rssIn = (from: number, to: number) => up.filter((s) => s.atS >= from && s.atS < to).map((s) => s.treeRssMb);
  const middle = mean(rssIn(third, 2 * third));
  const last = mean(rssIn(2 * third, Number.POSITIVE_INFINITY));
  const peakThreadHeapMb: Record<string, number> = {};
  for (const s of up)
    for (const [thread, mb] of Object.entries(s.threadHeapMb))
      peakThreadHeapMb[thread] = Math.max(peakThreadHeapMb[thread] ?? 0, mb);
  const lags = defined(samples.map((s) => s.lagMs));
  const alerts = defined(samples.map((s) => s.alertP99Ms));
  return {
    samples: samples.length,
    peakTreeRssMb: Math.max(0, ...up.map((s) => s.treeRssMb)),
    middleThirdRssMb: middle,
    lastThirdRssMb: last,
    thirdsRatio: last / middle,
    fds: {
      first: up[0]?.fds ?? 0,
      last: up.at(-1)?.fds ?? 0,
      max: Math.max(0, ...up.map((s) => s.fds)),
    },
    dataDirMb: { first: samples[0]?.dataDirMb ?? 0, last: samples.at(-1)?.dataDirMb ?? 0 },
    loopDelayP99Ms: Math.max(0, ...defined(up.map((s) => s.loopDelayP99Ms))),
    peakThreadHeapMb,
    lagMs: { p50: sortedPercentile(lags, 50), max: Math.max(0, ...lags) },
    alertP99Ms: { median: sortedPercentile(alerts, 50), max: Math.max(0, ...alerts) },
  };
};

export type SoakVerdict = { readonly id: string; readonly pass: boolean; readonly text: string };

const mark = (pass: boolean) => (pass ? 'PASS' : 'MISS');

/** the four targets, judged; a figure that was not measured is a MISS */
export const soakVerdicts = (
  summary: SoakSummary,
  restart: SoakRestart | undefined,
  targets: SoakTargets = SOAK_TARGETS,
): SoakVerdict[] => {
  const peak = summary.peakTreeRssMb < targets.peakRssMb;
  const flat = Math.abs(summary.thirdsRatio - 1) <= targets.thirdsWithin;
  const ready = restart?.readyMs !== undefined && restart.readyMs < targets.readyMs;
  const lagBack = restart?.lagBackMs !== undefined && restart.lagBackMs < targets.lagBackMs;
  const ms = (x: number | undefined) => (x === undefined ? 'never' : `${(x / 1000).toFixed(1)} s`);
  return [
    {
      id: 'soak-peak-rss',
      pass: peak,
      text: `peak RSS ${summary.peakTreeRssMb.toFixed(0)} MB = ${(summary.peakTreeRssMb / targets.peakRssMb).toFixed(2)}× the ${targets.peakRssMb} MB budget: ${mark(peak)}`,
    },
    {
      id: 'soak-flat-rss',
      pass: flat,
      text: `mean RSS last third ${summary.lastThirdRssMb.toFixed(0)} MB beside middle third ${summary.middleThirdRssMb.toFixed(0)} MB: ${summary.thirdsRatio.toFixed(3)}× (within ±${targets.thirdsWithin * 100} %): ${mark(flat)}`,
    },
    {
      id: 'soak-restart-ready',
      pass: ready,
      text: `SIGKILL → /readyz 200: ${ms(restart?.readyMs)} (target < ${targets.readyMs / 1000} s): ${mark(ready)}`,
    },
    {
      id: 'soak-restart-lag',
      pass: lagBack,
      text: `SIGKILL → lag under 1 s again: ${ms(restart?.lagBackMs)} (target < ${targets.lagBackMs / 1000} s): ${mark(lagBack)}`,
    },
  ];
};
