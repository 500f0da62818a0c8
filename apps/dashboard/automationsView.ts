import type { Automation, Delivery } from './automationsApi.ts';
import { formatDateTime, relativeAge } from './format.ts';
import { html, type SafeHtml } from './html.ts';

const statusLabel: Record<Delivery['status'], string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
};

const when = (a: Automation): string => {
  const t = a.trigger;
  const base =
    t.kind === 'event'
      ? `on ${t.event}`
      : `${t.wait ?? ''} after ${t.event}${t.unless?.length ? `, unless ${t.unless.join(', ')}` : ''}`;
  return a.trigger.conditional ? `${base} (with conditions)` : base;
};

const automationItem = (a: Automation): SafeHtml =>
  html`<li class="automation" data-automation-id="${a.id}">
    <p class="automation-id">${a.id}</p>
    <p class="meta">${when(a)} → ${a.action} <span class="target">${a.target}</span></p>
    <p class="counts">
      <span class="count" data-count="pending">${a.deliveries.pending} pending</span>
      <span class="count" data-count="delivered">${a.deliveries.delivered} delivered</span>
      <span class="count${a.deliveries.failed > 0 ? ' count-failed' : ''}" data-count="failed">${a.deliveries.failed} failed</span>
    </p>
  </li>`;

const nextAttempt = (d: Delivery, now: number): SafeHtml => {
  if (d.status !== 'pending') return html`<span class="none">—</span>`;
  if (Date.parse(d.nextAttemptAt) <= now) return html`now`;
  return html`<time datetime="${d.nextAttemptAt}">${formatDateTime(d.nextAttemptAt)}</time>`;
};

/** One delivery as a table row; the panel swaps a row for its new state after a retry. */
export const deliveryRow = (d: Delivery, now: number): SafeHtml =>
  html`<tr class="delivery delivery-${d.status}" data-delivery-id="${d.id}" data-status="${d.status}">
    <td><span class="status status-${d.status}" title="${d.deliveredAt ? `${d.status === 'failed' ? 'failed' : 'delivered'} ${formatDateTime(d.deliveredAt)}` : ''}">${statusLabel[d.status]}</span></td>
    <td class="delivery-automation">${d.automationId}</td>
    <td><button type="button" class="link" data-open-user="${d.userId}">${d.userId}</button></td>
    <td class="num" data-attempts="${d.attempts}">${d.attempts}</td>
    <td class="next-attempt">${nextAttempt(d, now)}</td>
    <td class="last-error">${d.lastError ? html`<span class="error-text">${d.lastError}</span>` : html`<span class="none">—</span>`}</td>
    <td class="delivery-id"><code>${d.id}</code><br><time class="meta" datetime="${d.createdAt}" title="${formatDateTime(d.createdAt)}">${relativeAge(d.createdAt, now)}</time></td>
    <td class="retry-cell">${d.status === 'failed' ? html`<button type="button" class="ghost retry" data-retry="${d.id}">Retry</button>` : ''}</td>
  </tr>`;

/** the recent deliveries and the failed ones (which may be older), once each, newest first */
export const mergeDeliveries = (recent: readonly Delivery[], failed: readonly Delivery[]): Delivery[] => {
  const byId = new Map<string, Delivery>();
  for (const d of [...recent, ...failed]) if (!byId.has(d.id)) byId.set(d.id, d);
  return [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
};

/** The configured automations with their counts, then their recent deliveries, failures highlighted. */
export const automationsView = (
  automations: readonly Automation[],
  deliveries: readonly Delivery[],
  now: number,
): SafeHtml => {
  if (automations.length === 0 && deliveries.length === 0)
    return html`<p class="empty">No automations. Point <code>JOURNEY_AUTOMATIONS</code> at a file of them (see docs/automations.md) and restart Journey.</p>`;
  return html`<ul class="automations">${automations.map(automationItem)}</ul>
    ${
      deliveries.length === 0
        ? html`<p class="empty">No deliveries yet: they appear here when an automation triggers.</p>`
        : html`<div class="table-scroll"><table class="deliveries">
      <thead><tr><th>Status</th><th>Automation</th><th>User</th><th class="num">Attempts</th><th>Next attempt</th><th>Last error</th><th>Delivery id</th><th aria-label="Action"></th></tr></thead>
      <tbody>${deliveries.map((d) => deliveryRow(d, now))}</tbody>
    </table></div>`
    }`;
};
