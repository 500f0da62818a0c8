import { z } from 'zod';
import { type JourneyEventType, journeyEventTypes } from '../journey/journeyEvent.ts';
import { byShape, isPlainObject, objectOf, uniqueIdsIn, whenSchema } from '../mapping/mappingRules.ts';
import { templateProblem } from './renderTemplate.ts';

/**
 * The automations file (docs/automations.md): what people edit to make journeys act. Strict like the
 * mapping rules, so a typo is reported with what to write instead; conditions are the mapping
 * rules' matcher language over `data.*` and `user.*`.
 */
const AUTOMATION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const CHANNEL = /^(#[a-z0-9][a-z0-9._-]*|[CGD][A-Z0-9]{2,})$/;
/** Standard Webhooks secrets: `whsec_` and base64 of at least 24 bytes */
const SECRET = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

const eventTypeSchema = z.enum(journeyEventTypes as [JourneyEventType, ...JourneyEventType[]], {
  error: `must be a journey event type: one of ${journeyEventTypes.join(', ')}`,
});

/** ISO 8601 (zod checks the form); calendar units are refused because a month has no fixed length */
const waitSchema = z
  .string({ error: 'must be an ISO 8601 duration such as "P3D" or "PT30M"' })
  .pipe(z.iso.duration({ error: 'must be an ISO 8601 duration such as "P3D" or "PT30M"' }))
  .refine(
    (wait) => !/^P[^T]*[YM]/.test(wait),
    'uses years or months, which have no fixed length; write weeks, days, hours or minutes such as "P30D"',
  );

const eventTriggerSchema = z.strictObject(
  { event: eventTypeSchema, where: whenSchema.optional() },
  objectOf('an event trigger', ['event', 'where']),
);

const timerTriggerSchema = z.strictObject(
  {
    after: eventTypeSchema,
    wait: waitSchema,
    unless: z
      .array(eventTypeSchema, { error: 'must be a list of journey event types' })
      .min(1, 'must list at least one event type, or leave "unless" out')
      .optional(),
    where: whenSchema.optional(),
  },
  objectOf('a timer', ['after', 'wait', 'unless', 'where']),
);

export type EventTrigger = z.infer<typeof eventTriggerSchema>;
export type TimerTrigger = z.infer<typeof timerTriggerSchema>;
export type Trigger = EventTrigger | TimerTrigger;

const triggerSchema = byShape<Trigger>((value) =>
  !isPlainObject(value)
    ? 'must be an object such as { "event": "UserSignedUp" } or { "after": "UserSignedUp", "wait": "P3D" }'
    : 'after' in value || 'wait' in value || 'unless' in value
      ? timerTriggerSchema
      : 'event' in value
        ? eventTriggerSchema
        : 'must name an "event", or "after" and "wait" for a timer',
);

const webhookSchema = z.strictObject(
  {
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://example.com/hooks/journey' }),
    secret: z
      .string({ error: 'must be a string' })
      .regex(SECRET, 'must be a Standard Webhooks secret: "whsec_" and at least 24 random bytes in base64'),
  },
  objectOf('a webhook action', ['url', 'secret']),
);

const templateSchema = z.string({ error: 'must be a string' }).superRefine((text, ctx) => {
  const problem = templateProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const slackSchema = z.strictObject(
  {
    channel: z
      .string({ error: 'must be a string' })
      .regex(CHANNEL, 'must be a channel name such as #onboarding or an id such as C0123ABC'),
    text: templateSchema.pipe(z.string().min(1, 'must not be empty')),
  },
  objectOf('a Slack action', ['channel', 'text']),
);

const natsSchema = z.strictObject(
  {
    subject: z
      .string({ error: 'must be a string' })
      .regex(SUBJECT, 'must be a NATS subject such as journey.automations.welcome, without wildcards'),
  },
  objectOf('a NATS action', ['subject']),
);

export const actionKinds = ['webhook', 'slack', 'nats'] as const;
export type ActionKind = (typeof actionKinds)[number];

const actionSchema = z
  .strictObject(
    { webhook: webhookSchema.optional(), slack: slackSchema.optional(), nats: natsSchema.optional() },
    objectOf('an action', actionKinds),
  )
  .refine(
    (action) => Object.keys(action).length === 1,
    'must name exactly one action: "webhook", "slack" or "nats"; write one automation per action',
  );
export type Action = z.infer<typeof actionSchema>;

const automationSchema = z.strictObject(
  {
    id: z
      .string({ error: 'must be a string' })
      .regex(AUTOMATION_ID, 'must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    description: z.string({ error: 'must be a string' }).optional(),
    when: triggerSchema,
    do: actionSchema,
  },
  objectOf('an automation', ['id', 'description', 'when', 'do']),
);
export type Automation = z.infer<typeof automationSchema>;

export const automationsFileSchema = z.strictObject(
  {
    $schema: z.string().optional(),
    version: z.literal(1, { error: 'must be 1' }),
    automations: z
      .array(automationSchema, { error: 'must be a list of automations' })
      .superRefine(uniqueIdsIn('automations', 'automation'), { when: (payload) => Array.isArray(payload.value) }),
  },
  objectOf('an automations file { "version": 1, "automations": [...] }', ['$schema', 'version', 'automations']),
);
export type AutomationsFile = z.infer<typeof automationsFileSchema>;
