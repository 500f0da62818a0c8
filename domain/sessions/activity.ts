import { z } from 'zod';
import { type IngestedEvent, rawEventTypes } from '../raw/rawEvent.ts';

const text = z.string().max(2000).optional();

/**
 * What sessions need to know of one raw event, whatever the mapping rules made of it: the
 * mapper records one for every raw event (`ActivityRecorded` on the user's activity stream),
 * so a session counts an identify or an unmapped track call as activity too.
 */
export const activitySchema = z.object({
  messageId: z.string(),
  /** event time (skew-corrected), ISO-8601 */
  occurredAt: z.iso.datetime({ offset: true }),
  rawType: z.enum(rawEventTypes),
  url: text,
  referrer: text,
  utmSource: text,
  utmMedium: text,
  utmCampaign: text,
  utmTerm: text,
  utmContent: text,
  userAgent: text,
  /** the session id the client sent (`context.sessionId` or `properties.sessionId`) */
  clientSessionId: text,
});
export type Activity = z.infer<typeof activitySchema>;

/** one raw event's activity: what mappers before grouped activity wrote, still read */
export const ACTIVITY_RECORDED = 'ActivityRecorded';

/**
 * The activity of several raw events of one stream, as the mapper writes it: one event per
 * user and delivery instead of one per raw event, so the store takes fewer, larger rows.
 */
export const ACTIVITIES_RECORDED = 'ActivitiesRecorded';
export const activitiesRecordedSchema = z.object({ activities: z.array(activitySchema).min(1) });
export type ActivitiesRecorded = z.infer<typeof activitiesRecordedSchema>;

/**
 * The activities a stored event carries, whichever shape it has: undefined for another type or
 * for data this version cannot read (a rebuild after the upgrade reads it).
 */
export const activitiesOf = (type: string, data: unknown): readonly Activity[] | undefined => {
  if (type === ACTIVITIES_RECORDED) {
    const parsed = activitiesRecordedSchema.safeParse(data);
    return parsed.success ? parsed.data.activities : undefined;
  }
  if (type === ACTIVITY_RECORDED) {
    const parsed = activitySchema.safeParse(data);
    return parsed.success ? [parsed.data] : undefined;
  }
  return undefined;
};

const MAX_TEXT = 2000;

const at = (value: unknown, ...path: readonly string[]): unknown => {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
};

const firstText = (...values: readonly unknown[]): string | undefined => {
  for (const value of values) {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'string' && value.trim() !== '') return value.slice(0, MAX_TEXT);
  }
  return undefined;
};

const queryParam = (url: string | undefined, name: string): string | undefined => {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  for (const pair of url
    .slice(query + 1)
    .split('#')[0]
    ?.split('&') ?? []) {
    const [key, value = ''] = pair.split('=');
    if (key !== name) continue;
    try {
      return firstText(decodeURIComponent(value.replace(/\+/g, ' ')));
    } catch {
      return firstText(value);
    }
  }
  return undefined;
};

/**
 * One raw event's activity. URL and referrer come from the page call's properties or Segment's
 * `context.page`; UTM fields from `context.campaign` (Segment names utm_campaign `name`) or,
 * failing that, the URL's query string, which is where a landing page has them.
 */
export const activityOf = (raw: IngestedEvent): Activity => {
  const properties = 'properties' in raw ? raw.properties : undefined;
  const context = raw.context;
  const url = firstText(at(properties, 'url'), at(context, 'page', 'url'));
  const utm = (key: string, campaignKey: string): string | undefined =>
    firstText(at(context, 'campaign', campaignKey), queryParam(url, `utm_${key}`));
  // absent fields left out, so the stored event carries only what the raw event had; set one
  // by one rather than deleted after, as `delete` turns the object into a slow dictionary
  const activity: { -readonly [K in keyof Activity]: Activity[K] } = {
    messageId: raw.messageId,
    occurredAt: new Date(Date.parse(raw.timestamp)).toISOString(),
    rawType: raw.type,
  };
  const set = <K extends keyof Activity>(key: K, value: Activity[K] | undefined): void => {
    if (value !== undefined) activity[key] = value;
  };
  set('url', url);
  set('referrer', firstText(at(properties, 'referrer'), at(context, 'page', 'referrer')));
  set('utmSource', utm('source', 'source'));
  set('utmMedium', utm('medium', 'medium'));
  set('utmCampaign', utm('campaign', 'name'));
  set('utmTerm', utm('term', 'term'));
  set('utmContent', utm('content', 'content'));
  set('userAgent', firstText(at(context, 'userAgent')));
  set('clientSessionId', firstText(at(context, 'sessionId'), at(properties, 'sessionId')));
  return activity;
};

/**
 * Activity has streams of its own, beside the journeys: the journey projections never read it,
 * and the mapper copies an anonymous id's activity on a link as it copies its journey. The
 * anonymous prefix does not start with `anonymous-`, so no anonymous id names both streams.
 */
export const ACTIVITY_STREAM_PREFIX = 'activity-';
export const ANONYMOUS_ACTIVITY_STREAM_PREFIX = 'anonymousActivity-';
export const activityStreamOf = (userId: string): string => `${ACTIVITY_STREAM_PREFIX}${userId}`;
export const anonymousActivityStreamOf = (anonymousId: string): string =>
  `${ANONYMOUS_ACTIVITY_STREAM_PREFIX}${anonymousId}`;
export const userIdOfActivityStream = (streamId: string): string | undefined =>
  streamId.startsWith(ACTIVITY_STREAM_PREFIX) ? streamId.slice(ACTIVITY_STREAM_PREFIX.length) : undefined;
