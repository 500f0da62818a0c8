import type { Activity } from './activity.ts';
import { deviceOf } from './deviceOf.ts';
import type { Session } from './session.ts';

export type SessionRules = {
  readonly timeoutMs: number;
  /** a session's id from its user and first event: the same events always give the same ids */
  readonly sessionIdOf: (userId: string, first: Activity) => string;
};

const timeOf = (a: Activity): number => Date.parse(a.occurredAt);

/** event time, then messageId: one total order, whatever order the events arrived in */
export const compareActivities = (a: Activity, b: Activity): number =>
  timeOf(a) - timeOf(b) || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);

const isPageView = (a: Activity): boolean => a.rawType === 'page' || a.rawType === 'screen';
const hasUtm = (a: Activity): boolean =>
  [a.utmSource, a.utmMedium, a.utmCampaign, a.utmTerm, a.utmContent].some((v) => v !== undefined);

const summaryOf = (userId: string, events: readonly Activity[], rules: SessionRules): Session => {
  const first = events[0] as Activity;
  const last = events[events.length - 1] as Activity;
  const pages = events.filter((a) => isPageView(a) && a.url !== undefined);
  const withUrl = events.filter((a) => a.url !== undefined);
  const utm = events.find(hasUtm);
  const userAgent = events.find((a) => a.userAgent !== undefined)?.userAgent;
  const session: Session = {
    sessionId: rules.sessionIdOf(userId, first),
    userId,
    startedAt: new Date(timeOf(first)).toISOString(),
    endedAt: new Date(timeOf(last)).toISOString(),
    durationMs: timeOf(last) - timeOf(first),
    eventCount: events.length,
    pageViews: events.filter(isPageView).length,
    firstMessageId: first.messageId,
    lastMessageId: last.messageId,
    entryUrl: (pages[0] ?? withUrl[0])?.url,
    exitUrl: (pages[pages.length - 1] ?? withUrl[withUrl.length - 1])?.url,
    referrer: events.find((a) => a.referrer !== undefined)?.referrer,
    utmSource: utm?.utmSource,
    utmMedium: utm?.utmMedium,
    utmCampaign: utm?.utmCampaign,
    utmTerm: utm?.utmTerm,
    utmContent: utm?.utmContent,
    device: userAgent === undefined ? undefined : deviceOf(userAgent),
    clientSessionId: events.find((a) => a.clientSessionId !== undefined)?.clientSessionId,
  };
  for (const key of Object.keys(session) as (keyof Session)[]) if (session[key] === undefined) delete session[key];
  return session;
};

/**
 * Cuts one user's activity into sessions: a new one starts after a gap longer than the timeout,
 * or where the client's session id differs from the one the session has (events without one,
 * such as backend calls, join the session around them). Each cut depends only on the events
 * before it, and a gap resets everything: the projection relies on both to recompute little.
 */
export const sessionize = (userId: string, activities: readonly Activity[], rules: SessionRules): Session[] => {
  const sorted = [...activities].sort(compareActivities);
  const sessions: Session[] = [];
  let current: Activity[] = [];
  let clientSessionId: string | undefined;
  const seen = new Set<string>();
  for (const activity of sorted) {
    // a raw event reaches a user's activity twice when a redelivery races an anonymous copy
    if (seen.has(activity.messageId)) continue;
    seen.add(activity.messageId);
    const previous = current[current.length - 1];
    const gap = previous === undefined ? 0 : timeOf(activity) - timeOf(previous);
    const clientChanged =
      activity.clientSessionId !== undefined &&
      clientSessionId !== undefined &&
      activity.clientSessionId !== clientSessionId;
    if (previous !== undefined && (gap > rules.timeoutMs || clientChanged)) {
      sessions.push(summaryOf(userId, current, rules));
      current = [];
      clientSessionId = undefined;
    }
    current.push(activity);
    clientSessionId = activity.clientSessionId ?? clientSessionId;
  }
  if (current.length > 0) sessions.push(summaryOf(userId, current, rules));
  return sessions;
};
