import type { SoakRun } from './soakRun.ts';
import { SOAK_TARGETS, type SoakSummary, type SoakVerdict, soakVerdicts, summarizeSoak } from './soakSummary.ts';

export type JudgedSoak = {
  readonly run: SoakRun;
  readonly summary: SoakSummary;
  readonly verdicts: readonly SoakVerdict[];
};

export const judgeSoak = (run: SoakRun): JudgedSoak => {
  const summary = summarizeSoak(run.samples, run.durationS);
  return { run, summary, verdicts: soakVerdicts(summary, run.restart) };
};

const mb = (x: number) => `${x.toFixed(0)} MB`;
const s = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const mark = (v: SoakVerdict | undefined) => (v === undefined ? '' : v.pass ? ' ✓' : ' ✗');

/** rows of the soak table: one column per mode; the target column judges each mode's figure */
export const soakTableRows = (soaks: readonly JudgedSoak[]): string[][] => {
  const verdict = (j: JudgedSoak, id: string) => j.verdicts.find((v) => v.id === id);
  const row = (label: string, target: string, cell: (j: JudgedSoak) => string) => [label, ...soaks.map(cell), target];
  const threads = [...new Set(soaks.flatMap((j) => Object.keys(j.summary.peakThreadHeapMb)))];
  return [
    row(
      'traffic sent, acknowledged',
      '',
      (j) => `${j.run.sender.sentPerSecond.toFixed(0)}/s, ${j.run.sender.acked.toLocaleString('en-US')} events`,
    ),
    row(
      'start-up on the preloaded store: /readyz, peak RSS',
      '',
      (j) => `${j.run.startup.readyS.toFixed(1)} s, ${mb(j.run.startup.peakRssMb)}`,
    ),
    row(
      'peak RSS, journey process tree',
      `< ${SOAK_TARGETS.peakRssMb} MB`,
      (j) =>
        `${mb(j.summary.peakTreeRssMb)} (${(j.summary.peakTreeRssMb / SOAK_TARGETS.peakRssMb).toFixed(2)}×)${mark(verdict(j, 'soak-peak-rss'))}`,
    ),
    row(
      'mean RSS, last third / middle third',
      '±10 %',
      (j) =>
        `${mb(j.summary.lastThirdRssMb)} / ${mb(j.summary.middleThirdRssMb)} = ${j.summary.thirdsRatio.toFixed(3)}×${mark(verdict(j, 'soak-flat-rss'))}`,
    ),
    ...threads.map((t) =>
      row(`peak heap used, thread ${t}`, '', (j) =>
        j.summary.peakThreadHeapMb[t] === undefined ? '–' : mb(j.summary.peakThreadHeapMb[t] ?? 0),
      ),
    ),
    row('nats-server RSS, first → last', '', (j) => {
      const rss = j.run.samples.map((x) => x.processRssMb['nats-server']).filter((x): x is number => x !== undefined);
      return rss.length === 0 ? '–' : `${mb(rss[0] ?? 0)} → ${mb(rss.at(-1) ?? 0)}`;
    }),
    row(
      'open fds, first → last (max)',
      '',
      (j) => `${j.summary.fds.first} → ${j.summary.fds.last} (${j.summary.fds.max})`,
    ),
    row(
      'data dir on disk, first → last',
      '',
      (j) => `${mb(j.summary.dataDirMb.first)} → ${mb(j.summary.dataDirMb.last)}`,
    ),
    row('event-loop delay p99, worst 5 s (main thread)', '', (j) => `${j.summary.loopDelayP99Ms.toFixed(0)} ms`),
    row(
      'lag sent → journey API, p50 / max of 5 s maxima',
      '',
      (j) => `${j.summary.lagMs.p50.toFixed(0)} / ${j.summary.lagMs.max.toFixed(0)} ms`,
    ),
    row(
      'sign-up alert p99, median / max of 5 s windows',
      '',
      (j) => `${j.summary.alertP99Ms.median.toFixed(0)} / ${j.summary.alertP99Ms.max.toFixed(0)} ms`,
    ),
    row('restart: stored events at SIGKILL', '', (j) => (j.run.restart?.storedEvents ?? 0).toLocaleString('en-US')),
    row(
      'restart: SIGKILL → /readyz 200',
      '< 5 s',
      (j) => `${s(j.run.restart?.readyMs)}${mark(verdict(j, 'soak-restart-ready'))}`,
    ),
    row(
      'restart: SIGKILL → lag < 1 s',
      '< 15 s',
      (j) => `${s(j.run.restart?.lagBackMs)}${mark(verdict(j, 'soak-restart-lag'))}`,
    ),
    row(
      'audit: acknowledged, lost, duplicated',
      '0 lost, 0 dup.',
      (j) =>
        `${j.run.audit.acknowledged.toLocaleString('en-US')}, ${j.run.audit.lost}, ${j.run.audit.duplicated}${j.run.audit.lost === 0 && j.run.audit.duplicated === 0 ? ' ✓' : ' ✗'}${j.run.audit.mapperDrained ? '' : ' (mapper not drained)'}`,
    ),
    row('probes seen / sent', '', (j) => `${j.run.probes.seen} / ${j.run.probes.sent}`),
  ];
};

/** a Markdown table, as docs/performance.md holds them */
export const markdownTable = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
};
