import { describe, expect, it } from 'vitest';
import { alertsView } from './alertsView.ts';
import type { StoredAlert } from './apiClient.ts';
import { html } from './html.ts';
import { timelineView } from './timelineView.ts';

const EVIL = `<img src=x onerror="alert(1)">'&`;
const ESCAPED = '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;';

describe('html', () => {
  it('escapes every interpolated value, keeps nested html as it is, and drops nullish and false', () => {
    const inner = html`<b>${EVIL}</b>`;
    expect(html`<p title="${EVIL}">${inner}${[html`<i>1</i>`, '<2>']}${null}${undefined}${false}${0}</p>`.text).toBe(
      `<p title="${ESCAPED}"><b>${ESCAPED}</b><i>1</i>&lt;2&gt;0</p>`,
    );
  });

  it('shows what senders put in events and alerts as text, never as markup', () => {
    const journey = timelineView({
      userId: EVIL,
      position: '1/1',
      stage: null,
      profile: {
        userId: EVIL,
        email: EVIL,
        name: EVIL,
        firstSeenAt: '2026-03-01T00:00:00.000Z',
        lastSeenAt: '2026-03-01T00:00:00.000Z',
        eventCount: 1,
        lastEventType: 'PageViewed',
      },
      events: [
        { id: 'e1', type: EVIL, occurredAt: '2026-03-01T00:00:00.000Z', data: { [EVIL]: EVIL, n: { deep: EVIL } } },
      ],
    }).text;
    const alert: StoredAlert = {
      key: EVIL,
      kind: 'error',
      userId: EVIL,
      occurredAt: '2026-03-01T00:00:00.000Z',
      content: { headline: EVIL, facts: [] },
      raisedAt: '2026-03-01T00:00:00.000Z',
      status: 'failed',
      attempts: 1,
      nextAttemptAt: '2026-03-01T00:00:00.000Z',
      lastError: EVIL,
    };
    const alerts = alertsView([alert], Date.parse('2026-03-01T00:01:00.000Z')).text;
    for (const markup of [journey, alerts]) {
      expect(markup).not.toContain('<img');
      expect(markup).toContain(ESCAPED);
    }
  });
});
