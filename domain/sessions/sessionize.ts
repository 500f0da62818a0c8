import type { Activity } from './activity.ts';
import { deviceOf } from './deviceOf.ts';
import type { Session } from './session.ts';

export type SessionRules = {
  readonly timeoutMs: number;
  /** a session's id from its user and first event: the same events always give the same ids */
  readonly sessionIdOf: (userId: string, first: Activity) => string;
};

const timeOf = (a: Activity): number => Date.parse(a.occurredAt);
const byMessageId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** event time, then messageId: one total order, whatever order the events arrived in */
export const compareActivities = (a: Activity, b: Activity): number =>
  timeOf(a) - timeOf(b) || byMessageId(a.messageId, b.messageId);

/** whether the activity comes after the session's last event in that order */
export const isAfterSession = (session: Session, a: Activity): boolean => {
  const gap = timeOf(a) - Date.parse(session.endedAt);
  return gap > 0 || (gap === 0 && byMessageId(a.messageId, session.lastMessageId) > 0);
};

const isPageView = (a: Activity): boolean => a.rawType === 'page' || a.rawType === 'screen';
const hasUtm = (a: Activity): boolean =>
  a.utmSource !== undefined ||
  a.utmMedium !== undefined ||
  a.utmCampaign !== undefined ||
  a.utmTerm !== undefined ||
  a.utmContent !== undefined;

type Draft = { -readonly [K in keyof Session]: Session[K] };
type Utm = Pick<Session, 'utmSource' | 'utmMedium' | 'utmCampaign' | 'utmTerm' | 'utmContent'>;
const NO_UTM: Utm = {};

/**
 * Sets the optional fields that are defined, in the type's order, as a stored session has
 * them. Written out rather than spread and filtered: the projection builds a session per raw
 * event, and a spread and a copy made that three times as slow (docs/performance.md).
 */
const withOptional = (
  session: Draft,
  fields: Pick<Session, 'entryUrl' | 'exitUrl' | 'referrer' | 'device' | 'clientSessionId'>,
  /** the session's or the activity's: UTM fields come as a set from one event */
  utm: Utm,
): Session => {
  if (fields.entryUrl !== undefined) session.entryUrl = fields.entryUrl;
  if (fields.exitUrl !== undefined) session.exitUrl = fields.exitUrl;
  if (fields.referrer !== undefined) session.referrer = fields.referrer;
  if (utm.utmSource !== undefined) session.utmSource = utm.utmSource;
  if (utm.utmMedium !== undefined) session.utmMedium = utm.utmMedium;
  if (utm.utmCampaign !== undefined) session.utmCampaign = utm.utmCampaign;
  if (utm.utmTerm !== undefined) session.utmTerm = utm.utmTerm;
  if (utm.utmContent !== undefined) session.utmContent = utm.utmContent;
  if (fields.device !== undefined) session.device = fields.device;
  if (fields.clientSessionId !== undefined) session.clientSessionId = fields.clientSessionId;
  return session;
};

/** a session of one event */
export const startSession = (userId: string, a: Activity, rules: SessionRules): Session => {
  const at = new Date(timeOf(a)).toISOString();
  return withOptional(
    {
      sessionId: rules.sessionIdOf(userId, a),
      userId,
      startedAt: at,
      endedAt: at,
      durationMs: 0,
      eventCount: 1,
      pageViews: isPageView(a) ? 1 : 0,
      firstMessageId: a.messageId,
      lastMessageId: a.messageId,
    },
    {
      entryUrl: a.url,
      exitUrl: a.url,
      referrer: a.referrer,
      device: a.userAgent === undefined ? undefined : deviceOf(a.userAgent),
      clientSessionId: a.clientSessionId,
    },
    hasUtm(a) ? a : NO_UTM,
  );
};

/**
 * The session with `a` (which comes after its last event) added, or undefined when `a` starts
 * a new one: after a gap longer than the timeout, or with a client session id other than the
 * session's (events without one, such as backend calls, join the session around them). The
 * first event with a URL is the entry, the last the exit; referrer, UTM and device come from
 * the first event that has them.
 */
export const extendSession = (session: Session, a: Activity, rules: SessionRules): Session | undefined => {
  // parsed once: Date.parse was a good part of the projection's time per event
  const t = timeOf(a);
  const gap = t - Date.parse(session.endedAt);
  const clientChanged =
    a.clientSessionId !== undefined &&
    session.clientSessionId !== undefined &&
    a.clientSessionId !== session.clientSessionId;
  if (gap > rules.timeoutMs || clientChanged) return undefined;
  const utm = session.utmSource ?? session.utmMedium ?? session.utmCampaign ?? session.utmTerm ?? session.utmContent;
  return withOptional(
    {
      sessionId: session.sessionId,
      userId: session.userId,
      startedAt: session.startedAt,
      endedAt: new Date(t).toISOString(),
      // the end moves by the gap: no need to parse the start again
      durationMs: session.durationMs + gap,
      eventCount: session.eventCount + 1,
      pageViews: session.pageViews + (isPageView(a) ? 1 : 0),
      firstMessageId: session.firstMessageId,
      lastMessageId: a.messageId,
    },
    {
      entryUrl: session.entryUrl ?? a.url,
      exitUrl: a.url ?? session.exitUrl,
      referrer: session.referrer ?? a.referrer,
      device: session.device ?? (a.userAgent === undefined ? undefined : deviceOf(a.userAgent)),
      clientSessionId: session.clientSessionId ?? a.clientSessionId,
    },
    utm === undefined && hasUtm(a) ? a : session,
  );
};

/**
 * Cuts one user's activity into sessions, in time order, one event at a time. Each cut depends
 * only on the events before it, and a gap resets everything: the projection relies on both to
 * recompute little when an event arrives late.
 */
export const sessionize = (userId: string, activities: readonly Activity[], rules: SessionRules): Session[] => {
  const sessions: Session[] = [];
  const seen = new Set<string>();
  for (const activity of [...activities].sort(compareActivities)) {
    // a raw event reaches a user's activity twice when a redelivery races an anonymous copy
    if (seen.has(activity.messageId)) continue;
    seen.add(activity.messageId);
    const last = sessions[sessions.length - 1];
    const extended = last === undefined ? undefined : extendSession(last, activity, rules);
    if (extended === undefined) sessions.push(startSession(userId, activity, rules));
    else sessions[sessions.length - 1] = extended;
  }
  return sessions;
};
