import { z } from 'zod';

/**
 * Raw events as the Segment HTTP Tracking API defines them, so existing tracking SDKs
 * (analytics.js, analytics-node, Segment's mobile SDKs, PostHog/RudderStack in Segment
 * mode) post to the collector unchanged. Unknown top-level fields are kept (`loose`),
 * because SDKs add their own (`_metadata`, `integrations`, `writeKey`, ...).
 */
const id = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
const userIdValue = z.union([id, z.number().finite().transform(String)]);
/**
 * An optional field given as `null` counts as absent, as in Segment's API: analytics.js sends
 * `"userId": null` until identify, and SDKs in other languages send their nil for unset fields.
 */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());
/** A person's id, where a blank string counts as absent too (Segment's rule for userId/anonymousId). */
const optionalPersonId = z.preprocess(
  (value) => (value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value),
  userIdValue.optional(),
);
const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z',
});
const jsonObject = z.record(z.string(), z.unknown());

const common = {
  messageId: optional(id),
  userId: optionalPersonId,
  anonymousId: optionalPersonId,
  context: optional(jsonObject),
  integrations: optional(jsonObject),
  timestamp: optional(isoInstant),
  sentAt: optional(isoInstant),
  originalTimestamp: optional(isoInstant),
};

export const trackEventSchema = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().trim().min(1, 'must name the event').max(200, 'must be at most 200 characters'),
  properties: optional(jsonObject),
});
export const identifyEventSchema = z.looseObject({
  ...common,
  type: z.literal('identify'),
  traits: optional(jsonObject),
});
export const pageEventSchema = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: optional(z.string().max(200)),
  category: optional(z.string().max(200)),
  properties: optional(jsonObject),
});
export const screenEventSchema = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: optional(z.string().max(200)),
  properties: optional(jsonObject),
});
export const groupEventSchema = z.looseObject({
  ...common,
  type: z.literal('group'),
  groupId: userIdValue,
  traits: optional(jsonObject),
});
export const aliasEventSchema = z.looseObject({ ...common, type: z.literal('alias'), previousId: userIdValue });

export const rawEventTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type RawEventType = (typeof rawEventTypes)[number];

export const rawEventSchema = z
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

export type RawEvent = z.infer<typeof rawEventSchema>;

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
