import type { Stage } from '../../domain/stage/stage.ts';
import type { FunnelDay } from './apiClient.ts';
import { formatCount, formatDay, formatShortDay } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { stageLabel, stageOrder } from './stageLabels.ts';

const W = 960;
const H = 300;
const M = { top: 16, right: 16, bottom: 30, left: 48 };
/** bottom to top: the users worth most sit on the axis */
const STACK: readonly Stage[] = ['active', 'activated', 'signedUp', 'inactive'];

const totalOf = (day: FunnelDay): number => stageOrder.reduce((sum, s) => sum + day.stages[s], 0);

/** whole-number gridlines 1, 2 or 5 × 10ⁿ apart, at most `count` + 1 intervals, the last at or above `max` */
export const niceTicks = (max: number, count = 4): number[] => {
  let step = 1;
  for (let magnitude = 1; Math.ceil(max / step) > count + 1; magnitude *= 10) {
    step = [1, 2, 5].map((f) => f * magnitude).find((s) => Math.ceil(max / s) <= count + 1) ?? 10 * magnitude;
  }
  const steps = Math.max(1, Math.ceil(max / step));
  return Array.from({ length: steps + 1 }, (_, i) => i * step);
};

/**
 * The funnel per day as stacked bars (users by stage as of each day's end) with new sign-ups
 * as a line, in SVG that scales with its box. Every number drawn is also in the markup as
 * data attributes, so the page's tests (and screen readers, through <title>) can read it.
 */
export const funnelChart = (days: readonly FunnelDay[], selected?: string): SafeHtml => {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const max = Math.max(1, ...days.map((d) => Math.max(totalOf(d), d.newSignups)));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] ?? max;
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const band = plotW / Math.max(1, days.length);
  const barW = Math.max(2, Math.min(48, band * 0.64));
  const labelEvery = Math.ceil(days.length / 12);
  const x = (i: number) => M.left + band * i + band / 2;

  const grid = ticks.map(
    (t) => html`<g class="tick"><line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}"></line>
      <text x="${M.left - 10}" y="${y(t)}" dy="0.32em" text-anchor="end">${formatCount(t)}</text></g>`,
  );

  const bars = days.map((day, i) => {
    let base = 0;
    const segments = STACK.map((stage) => {
      const count = day.stages[stage];
      const from = base;
      base += count;
      if (count === 0) return html``;
      return html`<rect class="seg seg-${stage}" x="${x(i) - barW / 2}" y="${y(base)}" width="${barW}"
        height="${Math.max(0, y(from) - y(base))}" rx="2" data-stage="${stage}" data-count="${count}"></rect>`;
    });
    const total = totalOf(day);
    const title = `${formatDay(day.date)}: ${stageOrder.map((s) => `${stageLabel[s]} ${day.stages[s]}`).join(', ')}; ${day.newSignups} new sign-ups`;
    return html`<g class="bar${day.date === selected ? ' selected' : ''}" data-date="${day.date}" data-total="${total}"
        data-new-signups="${day.newSignups}" ${stageOrder.map((s) => html`data-${s.toLowerCase()}="${day.stages[s]}" `)}
        tabindex="0" role="button" aria-label="${title}">
      <title>${title}</title>
      <rect class="hit" x="${x(i) - band / 2}" y="${M.top}" width="${band}" height="${plotH}"></rect>
      ${segments}
      ${i % labelEvery === 0 ? html`<text class="day" x="${x(i)}" y="${H - 8}" text-anchor="middle">${formatShortDay(day.date)}</text>` : ''}
    </g>`;
  });

  const points = days.map((d, i) => `${x(i).toFixed(1)},${y(d.newSignups).toFixed(1)}`).join(' ');
  const line = days.length > 1 ? html`<polyline class="new-signups" points="${points}"></polyline>` : html``;
  const dots = days.map(
    (d, i) =>
      html`<circle class="new-signups-dot" cx="${x(i)}" cy="${y(d.newSignups)}" r="3.5" data-date="${d.date}" data-count="${d.newSignups}"></circle>`,
  );

  const empty = days.every((d) => totalOf(d) === 0)
    ? html`<text class="empty-note" x="${M.left + plotW / 2}" y="${M.top + plotH / 2}" text-anchor="middle">No one had signed up by the end of this range; pick earlier or later days</text>`
    : '';
  return html`<svg class="funnel-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Users by stage per day">
    ${grid}${bars}${line}<g class="dots">${dots}</g>${empty}
  </svg>`;
};

/** The same numbers as a table, for reading exact values and for assistive technology. */
export const funnelTable = (days: readonly FunnelDay[]): SafeHtml => html`<table class="numbers">
  <thead><tr><th scope="col">Day (UTC)</th>${stageOrder.map((s) => html`<th scope="col">${stageLabel[s]}</th>`)}
    <th scope="col">Total</th><th scope="col">New sign-ups</th></tr></thead>
  <tbody>${days.map(
    (d) => html`<tr data-date="${d.date}"><th scope="row">${formatDay(d.date)}</th>
      ${stageOrder.map((s) => html`<td data-stage="${s}">${formatCount(d.stages[s])}</td>`)}
      <td data-stage="total">${formatCount(totalOf(d))}</td><td data-stage="newSignups">${formatCount(d.newSignups)}</td></tr>`,
  )}</tbody></table>`;
