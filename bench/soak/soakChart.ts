import type { SoakSample } from './soakSample.ts';

/** One line of a panel: points in (seconds, value), a gap where a value is missing. */
export type ChartLine = {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number | undefined])[];
  readonly width?: number;
};

export type ChartPanel = {
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly ChartLine[];
  /** a dashed horizontal line: the target */
  readonly target?: { readonly value: number; readonly label: string };
};

const W = 1040;
const PANEL_H = 200;
const LEFT = 64;
const RIGHT = 250;
const TOP = 36;
const GAP = 44;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** a round step for about `ticks` ticks over `max` (1, 2 or 5 times a power of ten) */
export const niceStep = (max: number, ticks = 4): number => {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
};

/** the path of a line, broken into segments where a value is missing */
export const pathOf = (
  points: readonly (readonly [number, number | undefined])[],
  x: (s: number) => number,
  y: (v: number) => number,
): string => {
  let d = '';
  let pen = false;
  for (const [s, v] of points) {
    if (v === undefined || Number.isNaN(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(s).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
};

const panelSvg = (panel: ChartPanel, top: number, durationS: number, markers: readonly number[]): string => {
  const values = panel.lines.flatMap((l) => l.points.map(([, v]) => v)).filter((v): v is number => v !== undefined);
  const max = Math.max(1, ...values, (panel.target?.value ?? 0) * 1.1);
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const plotW = W - LEFT - RIGHT;
  const x = (s: number) => LEFT + (durationS > 0 ? (s / durationS) * plotW : 0);
  const y = (v: number) => top + PANEL_H - (Math.min(v, yMax) / yMax) * PANEL_H;
  const parts: string[] = [
    `<text x="${LEFT}" y="${top - 10}" font-size="14" font-weight="bold">${escapeXml(panel.title)} (${escapeXml(panel.unit)})</text>`,
    `<rect x="${LEFT}" y="${top}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#999"/>`,
  ];
  for (let v = 0; v <= yMax + step / 2; v += step) {
    parts.push(
      `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${v.toLocaleString('en-US')}</text>`,
    );
  }
  const minuteStep = niceStep(durationS / 60, 8);
  for (let m = 0; m * 60 <= durationS; m += minuteStep) {
    parts.push(
      `<text x="${x(m * 60).toFixed(1)}" y="${top + PANEL_H + 14}" font-size="11" text-anchor="middle">${m} min</text>`,
    );
  }
  for (const at of markers) {
    parts.push(
      `<line x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${top}" y2="${top + PANEL_H}" stroke="#000" stroke-dasharray="2,3"/>`,
    );
  }
  if (panel.target) {
    const ty = y(panel.target.value).toFixed(1);
    parts.push(
      `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${ty}" y2="${ty}" stroke="#d62728" stroke-dasharray="6,4"/>`,
      `<text x="${LEFT + plotW - 4}" y="${Number(ty) - 4}" font-size="11" text-anchor="end" fill="#d62728">${escapeXml(panel.target.label)}</text>`,
    );
  }
  panel.lines.forEach((line, i) => {
    const d = pathOf(line.points, x, y);
    if (d !== '') parts.push(`<path d="${d}" fill="none" stroke="${line.color}" stroke-width="${line.width ?? 1.5}"/>`);
    const ly = top + 12 + i * 16;
    parts.push(
      `<line x1="${LEFT + plotW + 12}" x2="${LEFT + plotW + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${line.color}" stroke-width="${line.width ?? 1.5}"/>`,
      `<text x="${LEFT + plotW + 36}" y="${ly}" font-size="11">${escapeXml(line.label)}</text>`,
    );
  });
  return parts.join('\n');
};

/** A stack of panels sharing the time axis; `markers` are instants (s) drawn across every panel. */
export const chartSvg = (
  title: string,
  panels: readonly ChartPanel[],
  durationS: number,
  markers: readonly number[] = [],
): string => {
  const height = TOP + panels.length * (PANEL_H + GAP) + 10;
  const body = panels.map((p, i) => panelSvg(p, TOP + 20 + i * (PANEL_H + GAP), durationS, markers)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    body,
    '</svg>',
  ].join('\n');
};

/** The soak's three panels: memory (process tree and each thread's heap), lag, alert latency. */
export const soakPanels = (samples: readonly SoakSample[], targets: { readonly peakRssMb: number }): ChartPanel[] => {
  const threads = [...new Set(samples.flatMap((s) => Object.keys(s.threadHeapMb)))];
  const others = [...new Set(samples.flatMap((s) => Object.keys(s.processRssMb)))].filter((p) => p === 'nats-server');
  const at = (value: (s: SoakSample) => number | undefined) =>
    samples.map((s): readonly [number, number | undefined] => [s.atS, value(s)]);
  return [
    {
      title: 'Memory',
      unit: 'MB',
      target: { value: targets.peakRssMb, label: `peak RSS budget ${targets.peakRssMb} MB` },
      lines: [
        {
          label: 'RSS, journey process tree',
          color: '#000',
          width: 2.5,
          points: at((s) => (s.journeyUp ? s.treeRssMb : undefined)),
        },
        ...others.map((p, i) => ({
          label: `RSS, ${p}`,
          color: COLORS[(i + 6) % COLORS.length] ?? '#777',
          points: at((s) => s.processRssMb[p]),
        })),
        ...threads.map((t, i) => ({
          label: `heap used, ${t}`,
          color: COLORS[i % COLORS.length] ?? '#777',
          points: at((s) => s.threadHeapMb[t]),
        })),
      ],
    },
    {
      title: 'End-to-end lag, sent → visible in the journey API (largest per 5 s)',
      unit: 'ms',
      target: { value: 1_000, label: '1 s' },
      lines: [{ label: 'lag', color: '#1f77b4', width: 2, points: at((s) => s.lagMs) }],
    },
    {
      title: 'Sign-up alert latency, sent → Slack post (per 5 s)',
      unit: 'ms',
      lines: [
        { label: 'p99', color: '#d62728', width: 2, points: at((s) => s.alertP99Ms) },
        { label: 'p50', color: '#2ca02c', points: at((s) => s.alertP50Ms) },
      ],
    },
  ];
};
