import type { RawEventView } from './apiClient.ts';
import { formatDateTime, formatTime, humanType } from './format.ts';
import { html, type SafeHtml } from './html.ts';

const STATUS_LABEL: Record<RawEventView['status'], string> = {
  pending: 'Pending',
  mapped: 'Mapped',
  unmapped: 'No rule',
  rejected: 'Rejected',
};

/** what a raw event is, in a few words: a track call's name, a page's path, or its type */
const titleOf = (e: RawEventView): string => {
  if (e.event !== undefined) return e.event;
  const properties = (e.raw as { properties?: { path?: unknown } }).properties;
  const path = typeof properties?.path === 'string' ? ` ${properties.path}` : '';
  return `${e.type}${path}`;
};

const whoOf = (e: RawEventView): string =>
  e.userId ?? (e.linkedUserId === undefined ? `anonymous ${e.anonymousId ?? ''}` : `${e.linkedUserId} (anonymous)`);

/** one row of the live list; `fresh` marks one that just arrived or changed, for a moment */
export const liveEventRow = (e: RawEventView, selected: boolean): SafeHtml =>
  html`<li><button type="button" class="raw-event${selected ? ' selected' : ''}" data-message-id="${e.messageId}" data-status="${e.status}" aria-pressed="${selected ? 'true' : 'false'}">
    <time datetime="${e.receivedAt}">${formatTime(e.receivedAt)}</time>
    <span class="raw-title"><strong>${titleOf(e)}</strong><small>${whoOf(e)}</small></span>
    <span class="status status-${e.status}">${STATUS_LABEL[e.status]}</span>
  </button></li>`;

export const liveEventList = (events: readonly RawEventView[], selected: string | undefined): SafeHtml =>
  events.length === 0
    ? html`<li class="empty">No raw event matches yet; new ones appear here as they arrive.</li>`
    : html`${events.map((e) => liveEventRow(e, e.messageId === selected))}`;

/** what the mapper made of it: journey events and their rules, no rule, the reject reason, or not yet */
const outcomeOf = (e: RawEventView): SafeHtml => {
  switch (e.status) {
    case 'mapped':
    case 'rejected':
      return html`${e.reason === undefined ? '' : html`<p class="reject-reason" role="note">${e.reason}</p>`}
        ${
          e.journeyEvents.length === 0
            ? ''
            : html`<table class="journey-events"><thead><tr><th>Journey event</th><th>Rule</th><th>Id</th></tr></thead><tbody>${e.journeyEvents.map(
                (j) =>
                  html`<tr data-journey-event="${j.type}"><td>${humanType(j.type)}</td><td><code>${j.rule}</code></td><td><code>${j.id}</code></td></tr>`,
              )}</tbody></table>`
        }`;
    case 'unmapped':
      return html`<p class="empty">No mapping rule matched this event: it counts as activity (sessions) only.</p>`;
    case 'pending':
      return html`<p class="empty">Stored, not mapped yet: the mapper has not reached it.</p>`;
    default: {
      const unknown: never = e.status;
      return html`${unknown}`;
    }
  }
};

export const liveEventDetail = (e: RawEventView | undefined): SafeHtml =>
  e === undefined
    ? html`<p class="empty">Click an event to see its JSON and what it became.</p>`
    : html`<article class="raw-detail" data-message-id="${e.messageId}" data-status="${e.status}">
    <header><h3>${titleOf(e)}</h3><span class="status status-${e.status}">${STATUS_LABEL[e.status]}</span></header>
    <dl class="facts">
      <div><dt>Received</dt><dd>${formatDateTime(e.receivedAt)}</dd></div>
      <div><dt>Event time</dt><dd>${formatDateTime(e.timestamp)}</dd></div>
      <div><dt>User</dt><dd>${whoOf(e)}</dd></div>
    </dl>
    <h4>What it became</h4>
    <div class="outcome">${outcomeOf(e)}</div>
    <h4>Raw event</h4>
    <pre class="raw-json">${JSON.stringify(e.raw, null, 2)}</pre>
  </article>`;
