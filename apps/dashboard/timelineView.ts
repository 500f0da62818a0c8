import type { JourneyView, Session } from './apiClient.ts';
import { formatCount, formatDateTime, formatDay, formatDuration, formatTime, humanType } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { stageLabel } from './stageLabels.ts';

type JourneyEventView = JourneyView['events'][number];

/** a colour family per kind of event, so a failure stands out in a long journey */
const toneOf = (type: string): string => {
  if (/Failed|Error/.test(type)) return 'bad';
  if (/Completed/.test(type)) return 'good';
  if (/Deployment/.test(type)) return 'warn';
  if (/Project/.test(type)) return 'info';
  if (/SignedUp|Authenticated|Identified/.test(type)) return 'accent';
  return 'muted';
};

const shown = (value: unknown): string | undefined => {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

const dataChips = (data: unknown): SafeHtml => {
  if (data === null || typeof data !== 'object') return html``;
  const entries = Object.entries(data as Record<string, unknown>)
    .map(([key, value]) => [key, shown(value)] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined)
    .slice(0, 8);
  return html`<ul class="chips">${entries.map(([k, v]) => html`<li><span class="k">${k}</span> ${v.length > 80 ? `${v.slice(0, 79)}…` : v}</li>`)}</ul>`;
};

const initials = (view: JourneyView): string =>
  (view.profile.name ?? view.profile.email ?? view.userId)
    .split(/[\s@._-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join('');

type Group = { readonly key: string; readonly session?: Session; readonly day: string; events: JourneyEventView[] };

/** runs of events in one session (or, for an event in none, on one day), in the timeline's order */
const groupsOf = (events: readonly JourneyEventView[], sessions: readonly Session[]): Group[] => {
  const byId = new Map(sessions.map((s) => [s.sessionId, s]));
  const groups: Group[] = [];
  for (const e of events) {
    const session = e.sessionId === undefined ? undefined : byId.get(e.sessionId);
    const day = e.occurredAt.slice(0, 10);
    const key = session === undefined ? `day:${day}` : `session:${session.sessionId}`;
    const last = groups[groups.length - 1];
    if (last?.key === key) last.events.push(e);
    else groups.push({ key, day, events: [e], ...(session === undefined ? {} : { session }) });
  }
  return groups;
};

const plural = (n: number, one: string): string => `${formatCount(n)} ${one}${n === 1 ? '' : 's'}`;

const groupHeading = (group: Group): SafeHtml => {
  const s = group.session;
  if (s === undefined) return html`<h4>${formatDay(group.day)}</h4>`;
  return html`<h4 class="session-head">
    <span>${formatDateTime(s.startedAt)}</span>
    <span class="session-facts">${formatDuration(s.durationMs)} · ${plural(s.pageViews, 'page')} · ${plural(s.eventCount, 'event')}</span>
  </h4>`;
};

/** One user's journey: who they are, their stage now, and every journey event by session (by day when in none). */
export const timelineView = (view: JourneyView, sessions: readonly Session[] = []): SafeHtml => {
  const p = view.profile;
  return html`<section class="journey" data-user-id="${view.userId}">
    <header class="journey-head">
      <div class="avatar" aria-hidden="true">${initials(view)}</div>
      <div class="who">
        <h3>${p.name ?? view.userId}</h3>
        <p>${p.email ?? ''}${p.email && p.name ? html` · ` : ''}${p.name ? html`<code>${view.userId}</code>` : ''}</p>
      </div>
      <div class="stage-now">
        ${view.stage === null ? html`<span class="badge badge-none">Not signed up</span>` : html`<span class="badge badge-${view.stage}" data-stage="${view.stage}">${stageLabel[view.stage]}</span>`}
        <small>stage today</small>
        <a class="raw-link" href="#view=live&amp;live.userId=${encodeURIComponent(view.userId)}" data-live-user="${view.userId}">Raw events</a>
      </div>
    </header>
    <dl class="facts">
      <div><dt>Signed up</dt><dd>${p.signedUpAt ? formatDateTime(p.signedUpAt) : '—'}</dd></div>
      <div><dt>Last activity</dt><dd>${p.lastActivityAt ? formatDateTime(p.lastActivityAt) : '—'}</dd></div>
      <div><dt>Last seen</dt><dd>${formatDateTime(p.lastSeenAt)}</dd></div>
      <div><dt>Events</dt><dd>${formatCount(p.eventCount)}</dd></div>
    </dl>
    <ol class="timeline">${groupsOf(view.events, sessions).map(
      (group) =>
        html`<li class="${group.session === undefined ? 'timeline-day' : 'timeline-day timeline-session'}"${group.session === undefined ? '' : html` data-session-id="${group.session.sessionId}"`}>${groupHeading(group)}<ol>${group.events.map(
          (e) => html`<li class="event tone-${toneOf(e.type)}" data-type="${e.type}" data-occurred-at="${e.occurredAt}">
          <time datetime="${e.occurredAt}">${formatTime(e.occurredAt)}</time>
          <div class="event-body"><strong>${humanType(e.type)}</strong>${dataChips(e.data)}</div>
        </li>`,
        )}</ol></li>`,
    )}</ol>
  </section>`;
};
