import { z } from 'zod';
import { deliveryStatuses } from '../../application/ports/automationStore/automationStore.ts';
import { actionKinds } from '../../domain/automations/automationsFile.ts';

const isoInstant = z.string().describe('ISO-8601 UTC instant');
const count = z.number().int().min(0);

export const deliveriesQuery = z.object({
  automation: z.string().min(1).max(100).optional().describe('only this automation id'),
  status: z.enum(deliveryStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('at most this many, newest first; default 100'),
});

export const deliveryParams = z.object({
  id: z.string().min(1).max(300).describe('the delivery id, `<automation id>:<journey event id>`'),
});

export const automationsAnswer = z.object({
  source: z.string().describe('the automations file (JOURNEY_AUTOMATIONS)'),
  automations: z.array(
    z.object({
      id: z.string(),
      trigger: z.object({
        kind: z.enum(['event', 'timer']),
        event: z.string().describe('the journey event type that triggers it, or starts its timer'),
        wait: z.string().optional().describe('a timer: ISO 8601 duration after the event'),
        unless: z.array(z.string()).optional().describe('a timer: event types that cancel it within the wait'),
        conditional: z.boolean().describe('true when it has a "where" condition'),
      }),
      action: z.enum(actionKinds),
      target: z.string().describe('the webhook URL, Slack channel or NATS subject (never the secret)'),
      deliveries: z.object(
        Object.fromEntries(deliveryStatuses.map((s) => [s, count])) as Record<
          (typeof deliveryStatuses)[number],
          typeof count
        >,
      ),
    }),
  ),
});

const storedDelivery = z.object({
  id: z.string().describe('one per (automation, trigger): the webhook-id, the same on every retry'),
  automationId: z.string(),
  action: z.enum(actionKinds),
  userId: z.string(),
  triggeredAt: isoInstant.describe("the trigger's instant: the event's time, or the timer's"),
  payload: z.record(z.string(), z.unknown()).describe('automation, trigger, user traits, event and its data'),
  createdAt: isoInstant,
  status: z.enum(deliveryStatuses),
  attempts: count,
  nextAttemptAt: isoInstant,
  lastError: z.string().optional(),
  deliveredAt: isoInstant.optional().describe('when it was delivered, or when it failed'),
});

export const deliveriesAnswer = z.object({ deliveries: z.array(storedDelivery) });

export const deliveryAnswer = z.object({ delivery: storedDelivery });

export const retryAnswer = z.object({
  retried: z
    .boolean()
    .describe('true when the delivery was failed and is pending again; false when it was not failed (nothing changed)'),
  delivery: storedDelivery,
});
