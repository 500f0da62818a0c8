import { describe, expect, it } from 'vitest';
import type { SoakSample } from './soakSample.ts';
import { SOAK_TARGETS, soakVerdicts, summarizeSoak } from './soakSummary.ts';

const sample = (atS: number, treeRssMb: number, extra: Partial<SoakSample> = {}): SoakSample => ({
  atS,
  treeRssMb,
  processRssMb: { journey: treeRssMb },
  threadHeapMb: { main: treeRssMb / 4 },
  fds: 60,
  loopDelayP99Ms: 20,
  dataDirMb: atS,
  natsStoreMb: undefined,
  lagMs: 100,
  alertP50Ms: 5,
  alertP99Ms: 30,
  ackedPerSecond: 2_000,
  journeyUp: true,
  ...extra,
});

describe('summarizeSoak', () => {
  it('compares the mean RSS of the last third of the time with the middle third', () => {
    // 90 s: middle third is [30, 60), last third [60, 90]
    const samples = [sample(0, 500), sample(30, 200), sample(45, 200), sample(60, 220), sample(75, 220)];
    const summary = summarizeSoak(samples, 90);
    expect(summary.middleThirdRssMb).toBe(200);
    expect(summary.lastThirdRssMb).toBe(220);
    expect(summary.thirdsRatio).toBeCloseTo(1.1);
    expect(summary.peakTreeRssMb).toBe(500);
    expect(summary.peakThreadHeapMb).toEqual({ main: 125 });
  });

  it('leaves the samples taken while Journey was down out of the memory figures', () => {
    const down = sample(40, 0, { journeyUp: false, lagMs: 4_000 });
    const summary = summarizeSoak([sample(30, 200), down, sample(60, 200)], 90);
    expect(summary.middleThirdRssMb).toBe(200);
    expect(summary.lagMs.max).toBe(4_000);
  });
});

describe('soakVerdicts', () => {
  it('passes within the targets and misses what was not measured', () => {
    const summary = summarizeSoak([sample(30, 250), sample(60, 260)], 90);
    const verdicts = soakVerdicts(summary, { atS: 45, readyMs: 3_000, lagBackMs: undefined, storedEvents: 1 });
    expect(verdicts.map((v) => [v.id, v.pass])).toEqual([
      ['soak-peak-rss', true],
      ['soak-flat-rss', true],
      ['soak-restart-ready', true],
      ['soak-restart-lag', false],
    ]);
    expect(verdicts[3]?.text).toContain('never');
  });

  it('misses a peak over the budget and a last third that grew by more than 10 %', () => {
    const summary = summarizeSoak([sample(30, 200), sample(60, 330)], 90);
    const [peak, flat] = soakVerdicts(summary, undefined, SOAK_TARGETS);
    expect(peak?.pass).toBe(false);
    expect(peak?.text).toContain('1.10×');
    expect(flat?.pass).toBe(false);
  });
});
