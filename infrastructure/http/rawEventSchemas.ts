import { z } from 'zod';
import { rawEventStatuses } from '../../domain/explorer/rawEventStatus.ts';
import { rawEventTypes } from '../../domain/raw/rawEvent.ts';

/** The zod schemas of the raw-event (explorer) routes, beside apiSchemas.ts and used the same way. */

const isoInstant = z.string().describe('ISO-8601 UTC instant');

export const rawEventFilterQuery = z.object({
  userId: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe("the user's events, and their anonymous events once identify or alias linked them"),
  anonymousId: z.string().min(1).max(255).optional(),
  type: z.enum(rawEventTypes).optional(),
  event: z.string().min(1).max(200).optional().describe("a track call's event name"),
  status: z.enum(rawEventStatuses).optional(),
});

export const rawEventStreamHeaders = z.object({
  'Last-Event-ID': z
    .string()
    .optional()
    .describe(
      'resume after this version (the last `id:` received); without it, or with anything but such an id, the stream starts with what changes from now on',
    ),
});

export const rawEventsQuery = rawEventFilterQuery.extend({
  before: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,700}$/, 'must be the `next` of a previous page')
    .optional()
    .describe('the `next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('at most this many; default 50'),
});

export const rawEventAnswer = z.object({
  messageId: z.string(),
  type: z.enum(rawEventTypes),
  event: z.string().optional(),
  userId: z.string().optional(),
  anonymousId: z.string().optional(),
  linkedUserId: z.string().optional().describe('the user an anonymous event belongs to through identify or alias'),
  timestamp: isoInstant.describe('event time, corrected for client clock skew'),
  receivedAt: isoInstant,
  status: z
    .enum(rawEventStatuses)
    .describe('pending: stored, not mapped yet; mapped; unmapped: no rule matched; rejected: a rule refused its data'),
  journeyEvents: z
    .array(z.object({ id: z.string(), type: z.string(), rule: z.string() }))
    .describe('the journey events it became, with the rule that made each'),
  reason: z.string().optional().describe('why it was rejected'),
  raw: z.record(z.string(), z.unknown()).describe('the raw event as stored'),
});

export const rawEventsAnswer = z.object({
  events: z.array(rawEventAnswer).describe('newest first by receivedAt'),
  next: z.string().nullable().describe('pass as `before` for the next page; null on the last'),
});

export const rawEventStreamMessage = rawEventAnswer.extend({
  version: z.number().int().describe('the SSE id: send it back as Last-Event-ID to resume'),
});
