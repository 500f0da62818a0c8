import type { Funnel } from './apiClient.ts';
import { formatCount, formatDateTime } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { stageHint, stageLabel, stageOrder } from './stageLabels.ts';

const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${Math.round((part / whole) * 100)}%`);

/** The funnel as of one instant: one card per stage, the total and the day's new sign-ups. */
export const stageCards = (funnel: Funnel): SafeHtml => {
  const total = stageOrder.reduce((sum, s) => sum + funnel.stages[s], 0);
  return html`<div class="cards" data-as-of="${funnel.asOf}">
    <article class="card card-total" data-stage="total" data-count="${total}">
      <h3>Signed-up users</h3>
      <p class="value">${formatCount(total)}</p>
      <p class="hint">as of ${formatDateTime(funnel.asOf)}</p>
    </article>
    ${stageOrder.map(
      (stage) => html`<article class="card card-stage" data-stage="${stage}" data-count="${funnel.stages[stage]}">
        <h3><span class="swatch swatch-${stage}"></span>${stageLabel[stage]}</h3>
        <p class="value">${formatCount(funnel.stages[stage])}<span class="share">${percent(funnel.stages[stage], total)}</span></p>
        <div class="meter"><span class="meter-fill swatch-${stage}" data-share="${total === 0 ? 0 : funnel.stages[stage] / total}"></span></div>
        <p class="hint">${stageHint(stage, funnel.windowDays)}</p>
      </article>`,
    )}
    <article class="card card-new" data-stage="newSignups" data-count="${funnel.newSignups}">
      <h3><span class="swatch swatch-new"></span>New sign-ups</h3>
      <p class="value">${formatCount(funnel.newSignups)}</p>
      <p class="hint">in the 24 hours before</p>
    </article>
  </div>`;
};

/** Meter widths go through the CSSOM: the page's content security policy forbids style attributes. */
export const sizeMeters = (root: Element): void => {
  for (const fill of root.querySelectorAll<HTMLElement>('.meter-fill')) {
    fill.style.width = `${Math.round(Number(fill.dataset.share ?? 0) * 100)}%`;
  }
};
