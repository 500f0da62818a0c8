import { describe, expect, it } from 'vitest';
import type { FunnelDay } from './apiClient.ts';
import { funnelChart, funnelTable, niceTicks } from './funnelChart.ts';

const day = (date: string, signedUp: number, activated: number, active: number, inactive: number, newSignups = 0) =>
  ({
    date,
    asOf: `${date}T23:59:59.999Z`,
    windowDays: 15,
    newSignups,
    stages: { signedUp, activated, active, inactive },
  }) satisfies FunnelDay;

/** attributes of the elements matching `tag` with class `className`, in document order */
const elements = (svg: string, tag: string, className: string): Record<string, string>[] =>
  [...svg.matchAll(new RegExp(`<${tag} class="${className}[^"]*"([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

describe('niceTicks', () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [4, [0, 1, 2, 3, 4]],
    [5, [0, 1, 2, 3, 4, 5]],
    [7, [0, 2, 4, 6, 8]],
    [10, [0, 2, 4, 6, 8, 10]],
    [95, [0, 20, 40, 60, 80, 100]],
    [12_345, [0, 5000, 10_000, 15_000]],
    [1_000_000, [0, 200_000, 400_000, 600_000, 800_000, 1_000_000]],
  ])('covers %d with whole, evenly spaced gridlines: %j', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });
});

describe('funnelChart', () => {
  const days = [day('2026-03-09', 1, 1, 1, 1, 1), day('2026-03-10', 1, 2, 1, 2, 2), day('2026-03-11', 0, 0, 0, 0)];

  it('draws one bar per day carrying its numbers, and marks the selected day', () => {
    const svg = funnelChart(days, '2026-03-10').text;
    const bars = elements(svg, 'g', 'bar');
    expect(bars.map((b) => [b['data-date'], b['data-total'], b['data-new-signups']])).toEqual([
      ['2026-03-09', '4', '1'],
      ['2026-03-10', '6', '2'],
      ['2026-03-11', '0', '0'],
    ]);
    expect(bars[1]).toMatchObject({
      'data-signedup': '1',
      'data-activated': '2',
      'data-active': '1',
      'data-inactive': '2',
    });
    expect(svg).toMatch(/<g class="bar selected" data-date="2026-03-10"/);
    expect(svg.match(/class="bar selected"/g)).toHaveLength(1);
  });

  it('stacks segments with heights proportional to their counts and no segment for a zero', () => {
    const segs = elements(funnelChart(days).text, 'rect', 'seg');
    // 4 on the 9th, 4 on the 10th, none on the empty 11th
    expect(segs).toHaveLength(8);
    const tenth = segs.slice(4);
    const unit = Number(tenth.find((s) => s['data-stage'] === 'active')?.height);
    for (const s of tenth) expect(Number(s.height)).toBeCloseTo(unit * Number(s['data-count']), 6);
    // stacked: each segment starts where the one below it ends
    for (let i = 1; i < tenth.length; i++) {
      const below = tenth[i - 1] ?? {};
      expect(Number(tenth[i]?.y) + Number(tenth[i]?.height)).toBeCloseTo(Number(below.y), 6);
    }
  });

  it('gives the same numbers in the table', () => {
    const table = funnelTable(days).text;
    expect(table).toContain('<td data-stage="activated">2</td>');
    expect(table).toContain('<td data-stage="total">6</td><td data-stage="newSignups">2</td>');
  });
});
