import type { Activity } from '../../../domain/sessions/activity.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import type { Position } from '../eventStore/eventStore.ts';

export const pos = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

export const activity = (occurredAt: string, messageId: string, extra: Partial<Activity> = {}): Activity => ({
  messageId,
  occurredAt,
  rawType: 'track',
  ...extra,
});

/** a session as the projection would write it; only the fields a case looks at vary */
export const session = (
  userId: string,
  startedAt: string,
  firstMessageId: string,
  extra: Partial<Session> = {},
): Session => ({
  sessionId: `${userId}/${firstMessageId}`,
  userId,
  startedAt,
  endedAt: startedAt,
  durationMs: 0,
  eventCount: 1,
  pageViews: 0,
  firstMessageId,
  lastMessageId: firstMessageId,
  ...extra,
});

/** a session with every optional field, to see that each one survives the store */
export const fullSession = (): Session =>
  session('ada', '2026-05-01T10:00:00.000Z', 'm1', {
    endedAt: '2026-05-01T10:12:30.500Z',
    durationMs: 750_500,
    eventCount: 7,
    pageViews: 3,
    lastMessageId: 'm7',
    entryUrl: 'https://x.test/?utm_source=news',
    exitUrl: 'https://x.test/pricing',
    referrer: 'https://search.test/',
    utmSource: 'news',
    utmMedium: 'email',
    utmCampaign: 'spring',
    utmTerm: 'deploys',
    utmContent: 'hero',
    device: { browser: 'Firefox', os: 'Linux', type: 'desktop' },
    clientSessionId: 'c-1',
  });
