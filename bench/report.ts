import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Summary } from './stats.ts';

/** One figure beside the baseline measured in the same run; the ratio is what the targets judge. */
export type Figure = {
  readonly id: string;
  readonly label: string;
  readonly unit: 'events/s' | 'ms' | 'commits/s' | 'MB' | '% of scan';
  readonly value: Summary;
  readonly baseline: { readonly label: string; readonly value: Summary };
  /** the figure must be at least this fraction of the baseline */
  readonly target?: number;
  /** a latency: the figure must be at most this multiple of the baseline (`target` is then unset) */
  readonly targetAtMost?: number;
};

export type Verdict = 'PASS' | 'MISS' | '';

export const ratioOf = (figure: Figure): number =>
  figure.baseline.value.median === 0 ? 0 : figure.value.median / figure.baseline.value.median;

export const verdictOf = (figure: Figure): Verdict => {
  if (figure.targetAtMost !== undefined) return ratioOf(figure) <= figure.targetAtMost ? 'PASS' : 'MISS';
  return figure.target === undefined ? '' : ratioOf(figure) >= figure.target ? 'PASS' : 'MISS';
};

const targetText = (f: Figure): string =>
  f.targetAtMost !== undefined
    ? `≤ ${f.targetAtMost}× ${verdictOf(f)}`
    : f.target === undefined
      ? ''
      : `≥ ${f.target}× ${verdictOf(f)}`;

const format = (n: number, unit: Figure['unit']): string =>
  unit === 'ms' ? n.toFixed(n < 10 ? 2 : 1) : n.toLocaleString('en-US', { maximumFractionDigits: n < 100 ? 1 : 0 });

const range = (s: Summary, unit: Figure['unit']): string =>
  `${format(s.min, unit)}–${format(s.max, unit)} (±${((s.spread * 100) / 2).toFixed(0)}%)`;

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
};

export const renderTable = (figures: readonly Figure[]): string =>
  table(
    [
      'figure',
      'median',
      'min–max (spread)',
      'beside: baseline, same run',
      'median',
      'min–max (spread)',
      'ratio',
      'target',
    ],
    figures.map((f) => [
      `${f.label} [${f.unit}]`,
      format(f.value.median, f.unit),
      range(f.value, f.unit),
      f.baseline.label,
      format(f.baseline.value.median, f.unit),
      range(f.baseline.value, f.unit),
      `${ratioOf(f).toFixed(2)}×`,
      targetText(f),
    ]),
  );

export type BenchReport = {
  readonly startedAt: string;
  readonly node: string;
  readonly cpus: number;
  readonly quick: boolean;
  readonly runs: number;
  readonly config: Record<string, number>;
  readonly figures: readonly Figure[];
  readonly context: Record<string, unknown>;
  readonly notes: readonly string[];
  readonly runSeconds: number;
};

export const writeJson = async (file: string, report: BenchReport): Promise<void> => {
  await mkdir(dirname(file), { recursive: true });
  const figures = report.figures.map((f) => ({ ...f, ratio: ratioOf(f), verdict: verdictOf(f) || undefined }));
  await writeFile(file, `${JSON.stringify({ ...report, figures }, null, 2)}\n`);
};

/** `targets: id PASS, id MISS`: the verdicts of the figures that have a target, for the last line of a bench */
export const targetsLine = (figures: readonly Figure[]): string =>
  `targets: ${figures
    .filter((f) => verdictOf(f) !== '')
    .map((f) => `${f.id} ${verdictOf(f)}`)
    .join(', ')}`;
