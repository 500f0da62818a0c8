import { z } from 'zod';
import { alertStatuses } from '../../application/ports/alertStore/alertStore.ts';
import { alertContentSchema, alertKinds } from '../../domain/alerts/alert.ts';
import { usersByActivationStageReportedSchema } from '../../domain/report/usersByActivationStageReported.ts';
import { stages } from '../../domain/stage/stage.ts';

/**
 * The zod schemas of the query API: the requests the routes validate (apiRoutes.ts) and the
 * answers they give. The OpenAPI document (openApi.ts) is generated from these same schemas,
 * and the tests parse real answers with the answer schemas, so neither can drift.
 */

/** A message for a malformed value only; a missing one gets the shared "is required". */
const whenPresent = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : message;
const instant = z.iso.datetime({
  offset: true,
  error: whenPresent('must be an ISO-8601 date-time such as 2026-01-31T23:59:59Z'),
});
const day = z.iso.date({ error: whenPresent('must be a day written YYYY-MM-DD such as 2026-01-31') });

export const asOfQuery = z.object({ asOf: instant.optional().describe('the instant T; default: now') });
// the order of the days and the length of the range are the domain's rule (utcDaysBetween)
export const dailyQuery = z.object({
  from: day.describe('first UTC day, YYYY-MM-DD'),
  to: day.describe('last UTC day, YYYY-MM-DD, at most 366 days after from'),
});
export const userParams = z.object({ userId: z.string().min(1).max(255) });
export const userSearchQuery = z.object({
  search: z.string().min(1).max(255).describe('a prefix of the user id (exact) or of the email (ASCII case ignored)'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('at most this many; default 20'),
});
export const stageParams = z.object({ stage: z.enum(stages) });
export const reportParams = z.object({ date: day.describe('the report date D, YYYY-MM-DD, in JOURNEY_REPORT_TZ') });
export const alertsQuery = z.object({
  status: z.enum(alertStatuses).optional(),
  kind: z.enum(alertKinds).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('at most this many, newest first; default 100'),
});

// ---- answers

const isoInstant = z.string().describe('ISO-8601 UTC instant');
const count = z.number().int().min(0);
const stageCounts = z.object(
  Object.fromEntries(stages.map((s) => [s, count])) as Record<(typeof stages)[number], typeof count>,
);

export const funnelAnswer = z.object({
  asOf: isoInstant,
  windowDays: z.number().int(),
  newSignups: count.describe('sign-ups in (asOf − 24 h, asOf]'),
  stages: stageCounts,
});

export const dailyFunnelAnswer = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(
    funnelAnswer.extend({ date: z.string().describe('UTC day; the funnel is as of its last millisecond') }),
  ),
});

const profile = z.object({
  userId: z.string(),
  email: z.string().optional(),
  name: z.string().optional(),
  signedUpAt: isoInstant.optional(),
  firstSeenAt: isoInstant,
  lastSeenAt: isoInstant,
  lastActivityAt: isoInstant.optional(),
  eventCount: count,
  lastEventType: z.string(),
});

export const journeyAnswer = z.object({
  userId: z.string(),
  position: z
    .string()
    .describe(
      "the event-store position (`commit/prepare`) the whole answer reflects: the profile, the stage and the events are the user's as of the same event",
    ),
  stage: z.enum(stages).nullable().describe('null when the user had not signed up'),
  profile,
  events: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      occurredAt: isoInstant,
      data: z.unknown(),
      sessionId: z.string().optional().describe('the session the event happened in (GET /api/users/{userId}/sessions)'),
    }),
  ),
});

export const userSearchAnswer = z.object({
  search: z.string(),
  users: z.array(profile).describe('id matches in id order, then email matches in email order; each user once'),
});

export const stageUsersAnswer = z.object({
  asOf: isoInstant,
  stage: z.enum(stages),
  users: z.array(
    z.object({
      userId: z.string(),
      email: z.string().optional(),
      name: z.string().optional(),
      signedUpAt: isoInstant,
      lastActivityAt: isoInstant.nullable(),
    }),
  ),
});

export const alertsAnswer = z.object({
  alerts: z.array(
    z.object({
      key: z.string(),
      kind: z.enum(alertKinds),
      userId: z.string(),
      occurredAt: isoInstant,
      parentKey: z.string().optional(),
      content: alertContentSchema,
      raisedAt: isoInstant,
      status: z.enum(alertStatuses),
      attempts: count,
      nextAttemptAt: isoInstant,
      lastError: z.string().optional(),
      channel: z.string().optional(),
      ts: z.string().optional(),
      deliveredAt: isoInstant.optional(),
    }),
  ),
});

const seriesDay = {
  date: z.string(),
  time: isoInstant.describe("the day's first instant (the time field for Grafana)"),
};

export const dailySignupsAnswer = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ ...seriesDay, signups: count })),
});

export const dailyAlertsAnswer = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(
    z.object({
      ...seriesDay,
      total: count,
      ...(Object.fromEntries(alertKinds.map((k) => [k, count])) as Record<(typeof alertKinds)[number], typeof count>),
    }),
  ),
});

/** the answer of every refused request (400, 401, 404, 503) */
export const errorAnswer = z.object({
  error: z.string().describe('a stable code such as invalid_request'),
  message: z.string().describe('what was wrong and what to do'),
  issues: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('400: each bad field and why'),
});

/** the recorded event itself: the domain's schema is the answer's */
export const reportAnswer = usersByActivationStageReportedSchema;
