import { describe, expect, it } from 'vitest';
import type { Activity } from './activity.ts';
import { sessionize } from './sessionize.ts';

const MINUTE = 60_000;
const rules = {
  timeoutMs: 30 * MINUTE,
  sessionIdOf: (userId: string, first: Activity) => `${userId}/${first.messageId}`,
};
const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const at = (minutes: number, messageId: string, extra: Partial<Activity> = {}): Activity => ({
  messageId,
  occurredAt: new Date(T0 + minutes * MINUTE).toISOString(),
  rawType: 'track',
  ...extra,
});

describe('sessionize', () => {
  it('cuts where the gap is longer than the timeout, not where it equals it', () => {
    const sessions = sessionize('ada', [at(0, 'a'), at(30, 'b'), at(61, 'c')], rules);
    expect(sessions.map((s) => [s.sessionId, s.eventCount, s.durationMs])).toEqual([
      ['ada/a', 2, 30 * MINUTE],
      ['ada/c', 1, 0],
    ]);
  });

  it('gives the same sessions whatever order the events come in', () => {
    const events = [at(0, 'a'), at(5, 'b'), at(50, 'c'), at(52, 'd')];
    expect(sessionize('ada', [...events].reverse(), rules)).toEqual(sessionize('ada', events, rules));
  });

  it('starts a session where the client session id changes; events without one join the session around them', () => {
    const sessions = sessionize(
      'ada',
      [
        at(0, 'a', { clientSessionId: 's1' }),
        at(1, 'b'),
        at(2, 'c', { clientSessionId: 's1' }),
        at(3, 'd', { clientSessionId: 's2' }),
      ],
      rules,
    );
    expect(sessions.map((s) => [s.firstMessageId, s.lastMessageId, s.clientSessionId])).toEqual([
      ['a', 'c', 's1'],
      ['d', 'd', 's2'],
    ]);
  });

  it('counts page views and takes entry, exit, referrer, UTM and device from the events', () => {
    const [session] = sessionize(
      'ada',
      [
        at(0, 'a', { rawType: 'identify' }),
        at(1, 'b', {
          rawType: 'page',
          url: 'https://x.test/landing',
          referrer: 'https://search.test/',
          utmSource: 'news',
          utmCampaign: 'spring',
          userAgent:
            'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
        }),
        at(2, 'c', { rawType: 'page', url: 'https://x.test/pricing', referrer: 'https://x.test/landing' }),
        at(3, 'd', { rawType: 'track' }),
      ],
      rules,
    );
    expect(session).toEqual({
      sessionId: 'ada/a',
      userId: 'ada',
      startedAt: '2026-05-01T10:00:00.000Z',
      endedAt: '2026-05-01T10:03:00.000Z',
      durationMs: 3 * MINUTE,
      eventCount: 4,
      pageViews: 2,
      firstMessageId: 'a',
      lastMessageId: 'd',
      entryUrl: 'https://x.test/landing',
      exitUrl: 'https://x.test/pricing',
      referrer: 'https://search.test/',
      utmSource: 'news',
      utmCampaign: 'spring',
      device: { browser: 'Safari', os: 'iOS', type: 'mobile' },
    });
  });

  it('counts a raw event once when it reached the user twice', () => {
    const [session] = sessionize('ada', [at(0, 'a'), at(1, 'b'), at(0, 'a')], rules);
    expect(session?.eventCount).toBe(2);
  });
});
