import type { AnyJourneyEvent } from '../journey/journeyEvent.ts';
import type { ActionKind } from './automationsFile.ts';
import type { CompiledAutomation, CompiledAutomations } from './compileAutomations.ts';
import { type AutomationUser, traitsOf, type UserTraits } from './userTraits.ts';

/** What an automation acts on: a stored journey event, or a timer started by one. */
export type TriggerRef = {
  readonly kind: 'event' | 'timer';
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: string;
  /** a timer's instant: the event's time + `wait` */
  readonly dueAt?: string;
};

/** what a webhook body, a Slack template and a NATS message are made of */
export type DeliveryPayload = {
  readonly automation: string;
  readonly trigger: TriggerRef;
  readonly userId: string;
  readonly user: UserTraits;
  readonly event: { readonly id: string; readonly type: string; readonly occurredAt: string };
  readonly data: unknown;
};

export type DeliveryDraft = {
  /** one per (automation, trigger), the same on every retry: the webhook-id */
  readonly id: string;
  readonly automationId: string;
  readonly action: ActionKind;
  readonly userId: string;
  /** the trigger's instant: the event's time, or the timer's */
  readonly triggeredAt: string;
  readonly payload: DeliveryPayload;
};

export type AutomationTimer = {
  readonly id: string;
  readonly automationId: string;
  readonly userId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly startedAt: string;
  readonly dueAt: string;
  readonly data: unknown;
};

export type TriggerRules = {
  /** nothing fires for a trigger older than this when it is seen (history, re-maps, rebuilds) */
  readonly maxAgeMs: number;
  readonly windowDays: number;
};

/** deterministic, so a retry, a restart or a rebuild names the same delivery */
export const deliveryIdOf = (automationId: string, eventId: string): string => `${automationId}:${eventId}`;

export type StoredJourneyEvent = { readonly id: string; readonly userId: string; readonly event: AnyJourneyEvent };

const contextOf = (userId: string, traits: UserTraits, e: StoredJourneyEvent) => ({
  userId,
  type: e.event.type,
  occurredAt: e.event.metadata.occurredAt,
  data: e.event.data,
  user: traits,
});

const draftOf = (
  automation: CompiledAutomation,
  trigger: TriggerRef,
  payload: Omit<DeliveryPayload, 'automation' | 'trigger'>,
  triggeredAt: string,
): DeliveryDraft => ({
  id: deliveryIdOf(automation.id, trigger.eventId),
  automationId: automation.id,
  action: automation.actionKind,
  userId: payload.userId,
  triggeredAt,
  payload: { automation: automation.id, trigger, ...payload },
});

export type EventDecision = {
  readonly deliveries: DeliveryDraft[];
  readonly timers: AutomationTimer[];
  /** ids of the user's waiting timers this event cancels */
  readonly cancelled: string[];
};

const happenedBetween = (user: AutomationUser, automation: CompiledAutomation, from: string, to: string): boolean => {
  if (automation.trigger.kind !== 'timer') return false;
  for (const type of automation.trigger.unless)
    if ((user.seen[type] ?? []).some((at) => at >= from && at <= to)) return true;
  return false;
};

/**
 * One journey event against the automations, given the user as it stands after the event:
 * event automations whose conditions hold fire, timers start (unless a cancelling event already
 * happened in their window) and waiting timers an `unless` names are cancelled. `now` is
 * processing time, for the max-age rule only.
 */
export const decideOnEvent = (
  automations: CompiledAutomations,
  stored: StoredJourneyEvent,
  user: AutomationUser,
  waiting: readonly AutomationTimer[],
  now: number,
  rules: TriggerRules,
): EventDecision => {
  const { event } = stored;
  const at = event.metadata.occurredAt;
  const atMs = Date.parse(at);
  const decision: EventDecision = { deliveries: [], timers: [], cancelled: [] };
  for (const timer of waiting) {
    const automation = automations.byId.get(timer.automationId);
    if (automation?.trigger.kind !== 'timer' || !automation.trigger.unless.has(event.type)) continue;
    if (at >= timer.startedAt && at <= timer.dueAt) decision.cancelled.push(timer.id);
  }
  let traits: UserTraits | undefined;
  for (const automation of automations.automations) {
    const trigger = automation.trigger;
    const type = trigger.kind === 'event' ? trigger.event : trigger.after;
    if (type !== event.type) continue;
    const instant = trigger.kind === 'event' ? atMs : atMs + trigger.waitMs;
    if (instant < now - rules.maxAgeMs) continue;
    traits ??= traitsOf(user, atMs, rules.windowDays);
    if (!trigger.where(contextOf(stored.userId, traits, stored))) continue;
    const eventRef = { id: stored.id, type: event.type, occurredAt: at };
    if (trigger.kind === 'event') {
      const ref: TriggerRef = { kind: 'event', eventId: stored.id, eventType: event.type, occurredAt: at };
      decision.deliveries.push(
        draftOf(automation, ref, { userId: stored.userId, user: traits, event: eventRef, data: event.data }, at),
      );
      continue;
    }
    const dueAt = new Date(instant).toISOString();
    if (happenedBetween(user, automation, at, dueAt)) continue;
    decision.timers.push({
      id: deliveryIdOf(automation.id, stored.id),
      automationId: automation.id,
      userId: stored.userId,
      eventId: stored.id,
      eventType: event.type,
      startedAt: at,
      dueAt,
      data: event.data,
    });
  }
  return decision;
};

/**
 * A timer whose instant has passed: its delivery, with the user as of that instant, or
 * undefined when it is older than the max age (Journey was down, or caught up on history) or
 * its automation is gone from the file.
 */
export const fireTimer = (
  automations: CompiledAutomations,
  timer: AutomationTimer,
  user: AutomationUser | undefined,
  now: number,
  rules: TriggerRules,
): DeliveryDraft | undefined => {
  const automation = automations.byId.get(timer.automationId);
  const due = Date.parse(timer.dueAt);
  if (automation?.trigger.kind !== 'timer' || due < now - rules.maxAgeMs) return undefined;
  const traits = user
    ? traitsOf(user, due, rules.windowDays)
    : { deployments: 0, failures: 0, errors: 0, lastSeenAt: timer.startedAt };
  const ref: TriggerRef = {
    kind: 'timer',
    eventId: timer.eventId,
    eventType: timer.eventType,
    occurredAt: timer.startedAt,
    dueAt: timer.dueAt,
  };
  const event = { id: timer.eventId, type: timer.eventType, occurredAt: timer.startedAt };
  return draftOf(automation, ref, { userId: timer.userId, user: traits, event, data: timer.data }, timer.dueAt);
};
