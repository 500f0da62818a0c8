import { z } from 'zod';

/**
 * Raw events as the Segment HTTP Tracking API defines them, so existing tracking SDKs
 * (analytics.js, analytics-node, Segment's mobile SDKs, PostHog/RudderStack in Segment
 * mode) post to the collector unchanged. Unknown top-level fields are kept (`loose`),
 * because SDKs add their own (`_metadata`, `integrations`, `writeKey`, ...).
 */
const id = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
const userIdValue = z.union([id, z.number().finite().transform(String)]);
const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z',
});
const jsonObject = z.record(z.string(), z.unknown());

const common = {
  messageId: id.optional(),
  userId: userIdValue.optional(),
  anonymousId: userIdValue.optional(),
  context: jsonObject.optional(),
  integrations: jsonObject.optional(),
  timestamp: isoInstant.optional(),
  sentAt: isoInstant.optional(),
  originalTimestamp: isoInstant.optional(),
};

const trackEventSchema = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().trim().min(1, 'must name the event').max(200, 'must be at most 200 characters'),
  properties: jsonObject.optional(),
});
const identifyEventSchema = z.looseObject({
  ...common,
  type: z.literal('identify'),
  traits: jsonObject.optional(),
});
const pageEventSchema = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: z.string().max(200).optional(),
  category: z.string().max(200).optional(),
  properties: jsonObject.optional(),
});
const screenEventSchema = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: z.string().max(200).optional(),
  properties: jsonObject.optional(),
});
const groupEventSchema = z.looseObject({
  ...common,
  type: z.literal('group'),
  groupId: userIdValue,
  traits: jsonObject.optional(),
});
const aliasEventSchema = z.looseObject({ ...common, type: z.literal('alias'), previousId: userIdValue });

export const rawEventTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type RawEventType = (typeof rawEventTypes)[number];

const OPTIONAL_FIELDS = [
  'messageId',
  'userId',
  'anonymousId',
  'context',
  'integrations',
  'timestamp',
  'sentAt',
  'originalTimestamp',
  'properties',
  'traits',
  'name',
  'category',
] as const;

const isAbsent = (key: string, value: unknown): boolean =>
  value === null || ((key === 'userId' || key === 'anonymousId') && typeof value === 'string' && value.trim() === '');

/**
 * Segment's API reads an optional field given as `null` (and a blank userId or anonymousId) as
 * absent: analytics.js sends `"userId": null` until identify. One pass before validation, copying
 * only an event that has such a field, keeps the common case as cheap as it was.
 */
const withoutAbsentFields = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  const event = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of OPTIONAL_FIELDS) {
    if (!isAbsent(key, event[key])) continue;
    copy ??= { ...event };
    delete copy[key];
  }
  return copy ?? event;
};

const eventSchema = z
  .discriminatedUnion('type', [
    trackEventSchema,
    identifyEventSchema,
    pageEventSchema,
    screenEventSchema,
    groupEventSchema,
    aliasEventSchema,
  ])
  .superRefine((event, ctx) => {
    if (event.type === 'alias') {
      if (event.userId === undefined)
        ctx.addIssue({ code: 'custom', path: ['userId'], message: 'alias needs the new userId' });
    } else if (event.userId === undefined && event.anonymousId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'needs a userId or an anonymousId' });
    }
  });

/** the schema alone; validate with `safeParseRawEvent`, which first drops the absent fields */
export const rawEventSchema = eventSchema;

export type RawEvent = z.infer<typeof rawEventSchema>;

/**
 * Validates one raw event as Segment's API would. Not a z.preprocess: in the collector that
 * pipe roughly quadrupled garbage collection under load (docs/performance.md).
 */
export const safeParseRawEvent = (value: unknown, params?: Parameters<typeof eventSchema.safeParse>[1]) =>
  params === undefined
    ? eventSchema.safeParse(withoutAbsentFields(value))
    : eventSchema.safeParse(withoutAbsentFields(value), params);

/**
 * A raw event after the collector accepted it: it has a messageId, the server's receipt
 * time and a timestamp corrected for the client's clock skew. This is what the raw log holds.
 */
export type IngestedEvent = RawEvent & {
  messageId: string;
  receivedAt: string;
  timestamp: string;
  /** which write key (by its name, never its secret) the event came in with */
  source?: string;
};
