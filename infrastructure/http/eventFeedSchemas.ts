import { z } from 'zod';
import { isJourneyEventType, journeyEventTypes } from '../../domain/journey/journeyEvent.ts';

const FEED_ID = /^\d{1,19}(\/\d{1,19})?$/;
const positionText = 'a global position as sent in an `id:` line: a number, or `commit/prepare` on EventStoreDB';

/** `type=A&type=B` and `type=A,B` alike; blanks between commas are ignored */
export const typesOf = (type: string | readonly string[] | undefined): string[] =>
  [type ?? []]
    .flat()
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');

export const eventStreamQuery = z
  .object({
    type: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe(
        `only these journey event types (${journeyEventTypes.join(', ')}): repeat the parameter or separate them with commas; default every type`,
      ),
    userId: z.string().min(1).max(255).optional().describe("only this user's events"),
    after: z
      .string()
      .regex(FEED_ID, `must be ${positionText}`)
      .optional()
      .describe(
        `start after this ${positionText} (for clients that cannot set Last-Event-ID, which wins when both are sent); default the first event`,
      ),
  })
  .superRefine((query, ctx) => {
    const unknown = typesOf(query.type).filter((t) => !isJourneyEventType(t));
    if (unknown.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `has unknown type${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the journey event types are ${journeyEventTypes.join(', ')}`,
      });
  });

export const eventStreamHeaders = z.object({
  'Last-Event-ID': z
    .string()
    .regex(FEED_ID, `must be ${positionText}; send the id of the last message received`)
    .optional()
    .describe(
      'resume after this position: EventSource sends the last `id:` it received when it reconnects; default the first event (or `after`)',
    ),
});

/** what each message's `data:` line holds (JSON) */
export const feedEventAnswer = z.object({
  position: z.string().describe('the global position, also the message id'),
  id: z.string().describe('the journey event id (unique; the same on every read)'),
  type: z.enum(journeyEventTypes).describe('also the message `event:`'),
  userId: z.string(),
  occurredAt: z.string().optional().describe('event time, ISO-8601'),
  recordedAt: z.string().describe('when the event store wrote it, ISO-8601'),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()).describe('occurredAt, sourceMessageIds (raw messageIds), ruleId'),
});
