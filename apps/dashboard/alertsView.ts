import type { StoredAlert } from './apiClient.ts';
import { formatDateTime, relativeAge } from './format.ts';
import { html, type SafeHtml } from './html.ts';

const kindLabel: Record<StoredAlert['kind'], string> = {
  signup: 'Sign-up',
  'deploy-slow': 'Slow deploy',
  'deploy-failed': 'Deploy failed',
  error: 'Error',
};

const statusLabel: Record<StoredAlert['status'], string> = {
  pending: 'Pending',
  posted: 'Posted',
  logged: 'Logged only',
  failed: 'Failed',
  skipped: 'Skipped',
};

const delivery = (a: StoredAlert): SafeHtml => {
  if (a.status === 'posted')
    return html`Posted to ${a.channel ?? 'Slack'}${a.deliveredAt ? html` · ${formatDateTime(a.deliveredAt)}` : ''}`;
  if (a.status === 'pending') {
    return html`${a.attempts === 0 ? 'not tried yet' : `${a.attempts} attempt${a.attempts === 1 ? '' : 's'}, next ${formatDateTime(a.nextAttemptAt)}`}`;
  }
  if (a.status === 'logged') return html`Logged only: Slack is not configured`;
  if (a.status === 'skipped') return html`Skipped`;
  return html`Not delivered after ${a.attempts} attempt${a.attempts === 1 ? '' : 's'}`;
};

/** Recent alerts, newest first, each with where its delivery stands. */
export const alertsView = (alerts: readonly StoredAlert[], now: number): SafeHtml => {
  if (alerts.length === 0)
    return html`<p class="empty">No alerts yet. Sign-ups, slow or failed deployments and errors show up here.</p>`;
  return html`<ul class="alerts">${alerts.map(
    (
      a,
    ) => html`<li class="alert${a.parentKey ? ' reply' : ''}" data-key="${a.key}" data-status="${a.status}" data-kind="${a.kind}">
      <span class="kind kind-${a.kind}">${kindLabel[a.kind]}</span>
      <div class="alert-body">
        <p class="headline">${a.content.headline}</p>
        <p class="meta"><button type="button" class="link" data-open-user="${a.userId}">${a.userId}</button>
          · <time datetime="${a.raisedAt}" title="${formatDateTime(a.raisedAt)}">${relativeAge(a.raisedAt, now)}</time></p>
        <p class="delivery-detail">${delivery(a)}</p>
        ${a.lastError ? html`<p class="error-text">${a.lastError}</p>` : ''}
      </div>
      <span class="status status-${a.status}" title="${a.status === 'posted' && a.ts ? `Slack message ${a.ts}` : ''}">${statusLabel[a.status]}</span>
    </li>`,
  )}</ul>`;
};
