import { z } from 'zod';

/** The zod schemas of the session routes, beside apiSchemas.ts and used the same way. */

const instant = z.iso.datetime({
  offset: true,
  error: (issue) =>
    issue.input === undefined ? undefined : 'must be an ISO-8601 date-time such as 2026-01-31T23:59:59Z',
});
const isoInstant = z.string().describe('ISO-8601 UTC instant');
const count = z.number().int().min(0);
const text = z.string().optional();

export const sessionsQuery = z.object({
  from: instant.optional().describe('sessions that started at or after this instant; default: the first'),
  to: instant.optional().describe('sessions that started at or before this instant; default: the last'),
});

export const sessionAnswer = z.object({
  sessionId: z.string().describe("stable: a hash of the user and the session's first raw event"),
  userId: z.string(),
  startedAt: isoInstant,
  endedAt: isoInstant,
  durationMs: count.describe('from the first event to the last'),
  eventCount: count.describe('raw events, mapped to journey events or not'),
  pageViews: count.describe('page and screen calls'),
  firstMessageId: z.string(),
  lastMessageId: z.string(),
  entryUrl: text.describe('the URL of the first event with one'),
  exitUrl: text.describe('the URL of the last event with one'),
  referrer: text,
  utmSource: text,
  utmMedium: text,
  utmCampaign: text,
  utmTerm: text,
  utmContent: text,
  device: z
    .object({ browser: z.string(), os: z.string(), type: z.enum(['mobile', 'tablet', 'desktop', 'bot']) })
    .optional()
    .describe('from the first user agent of the session'),
  clientSessionId: text.describe('the context.sessionId the client sent'),
});

export const userSessionsAnswer = z.object({
  userId: z.string(),
  sessions: z.array(sessionAnswer).describe('newest first'),
});

export const dailySessionsAnswer = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(
    z.object({
      date: z.string(),
      time: isoInstant.describe("the day's first instant (the time field for Grafana)"),
      sessions: count.describe('sessions that started on the UTC day'),
      users: count.describe('users with a session that started on the day'),
      medianDurationMs: z.number().nullable().describe('nearest rank; null on a day without sessions'),
      p90DurationMs: z.number().nullable().describe('nearest rank; null on a day without sessions'),
      bounceRate: z.number().nullable().describe('the share of sessions with exactly one page view'),
    }),
  ),
});
