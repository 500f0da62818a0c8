import { z } from 'zod';

/**
 * Journey events: what a user did, in the product's own words, derived from raw events by
 * the mapping rules. One generic shape; each type's data has its zod schema beside it and
 * its TypeScript type is inferred from that schema.
 */
export const journeyEventMetadataSchema = z.object({
  /** event time (skew-corrected), ISO-8601 */
  occurredAt: z.iso.datetime({ offset: true }),
  /** the raw messageIds this event was derived from */
  sourceMessageIds: z.array(z.string()).min(1),
  /** the mapping rule that produced it */
  ruleId: z.string(),
});
export type JourneyEventMetadata = z.infer<typeof journeyEventMetadataSchema>;

export type JourneyEvent<Type extends string, Data> = {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: JourneyEventMetadata;
};

const optionalText = z.string().max(2000).optional();
const traits = z.record(z.string(), z.unknown());

export const journeyEventDataSchemas = {
  UserIdentified: z.looseObject({
    email: optionalText,
    name: optionalText,
    anonymousId: optionalText,
    traits: traits.optional(),
  }),
  UserSignedUp: z.looseObject({ email: optionalText, name: optionalText, source: optionalText, plan: optionalText }),
  UserAuthenticated: z.looseObject({ method: optionalText }),
  ProjectCreated: z.looseObject({ projectId: optionalText, name: optionalText }),
  DeploymentStarted: z.looseObject({ deploymentId: optionalText, projectId: optionalText }),
  DeploymentCompleted: z.looseObject({
    deploymentId: optionalText,
    projectId: optionalText,
    durationMs: z.number().optional(),
  }),
  DeploymentFailed: z.looseObject({ deploymentId: optionalText, projectId: optionalText, error: optionalText }),
  ErrorEncountered: z.looseObject({
    status: z.number().int().optional(),
    errorCode: optionalText,
    method: optionalText,
    path: optionalText,
    message: optionalText,
  }),
  PageViewed: z.looseObject({
    url: optionalText,
    path: optionalText,
    title: optionalText,
    name: optionalText,
    referrer: optionalText,
  }),
} as const;

export type JourneyEventType = keyof typeof journeyEventDataSchemas;
export const journeyEventTypes = Object.keys(journeyEventDataSchemas) as JourneyEventType[];
export const isJourneyEventType = (t: string): t is JourneyEventType => Object.hasOwn(journeyEventDataSchemas, t);

export type JourneyEventData<T extends JourneyEventType> = z.infer<(typeof journeyEventDataSchemas)[T]>;

export type UserIdentified = JourneyEvent<'UserIdentified', JourneyEventData<'UserIdentified'>>;
export type UserSignedUp = JourneyEvent<'UserSignedUp', JourneyEventData<'UserSignedUp'>>;
export type UserAuthenticated = JourneyEvent<'UserAuthenticated', JourneyEventData<'UserAuthenticated'>>;
export type ProjectCreated = JourneyEvent<'ProjectCreated', JourneyEventData<'ProjectCreated'>>;
export type DeploymentStarted = JourneyEvent<'DeploymentStarted', JourneyEventData<'DeploymentStarted'>>;
export type DeploymentCompleted = JourneyEvent<'DeploymentCompleted', JourneyEventData<'DeploymentCompleted'>>;
export type DeploymentFailed = JourneyEvent<'DeploymentFailed', JourneyEventData<'DeploymentFailed'>>;
export type ErrorEncountered = JourneyEvent<'ErrorEncountered', JourneyEventData<'ErrorEncountered'>>;
export type PageViewed = JourneyEvent<'PageViewed', JourneyEventData<'PageViewed'>>;

export type AnyJourneyEvent =
  | UserIdentified
  | UserSignedUp
  | UserAuthenticated
  | ProjectCreated
  | DeploymentStarted
  | DeploymentCompleted
  | DeploymentFailed
  | ErrorEncountered
  | PageViewed;

/** Journey streams are per user; the prefix is what projections subscribe to. */
export const JOURNEY_STREAM_PREFIX = 'journey-';
export const journeyStreamOf = (userId: string): string => `${JOURNEY_STREAM_PREFIX}${userId}`;
export const userIdOfStream = (streamId: string): string | undefined =>
  streamId.startsWith(JOURNEY_STREAM_PREFIX) ? streamId.slice(JOURNEY_STREAM_PREFIX.length) : undefined;
