import type { AutomationWriter } from '../../application/ports/automationStore/automationStore.ts';
import type { Clock } from '../../application/ports/clock.ts';
import { decideOnEvent, type TriggerRules } from '../../domain/automations/automationTriggers.ts';
import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import { evolveAutomationUser } from '../../domain/automations/userTraits.ts';
import { JOURNEY_STREAM_PREFIX, type JourneyEventType } from '../../domain/journey/journeyEvent.ts';
import { journeyEventOf } from '../journeyEventOf.ts';
import type { Projection } from '../projection.ts';

/**
 * Each user's traits, the timers waiting and the delivery outbox, in the checkpoint's transaction.
 * `now` comes from the clock at processing time for the max-age rule only, so history, a re-map
 * or a rebuild enqueues nothing; ids already enqueued are ignored anyway.
 */
export const automationsProjection = (
  automations: CompiledAutomations,
  options: TriggerRules & { readonly meaningful: ReadonlySet<JourneyEventType> },
  clock: Clock,
): Projection<AutomationWriter> => {
  const evolveOptions = { meaningful: options.meaningful, remembered: automations.remembered };
  return {
    name: 'automations',
    version: 1,
    streamPrefix: JOURNEY_STREAM_PREFIX,
    apply(recorded, writer) {
      if (automations.automations.length === 0) return;
      const journey = journeyEventOf(recorded);
      if (!journey) return;
      const { userId, event } = journey;
      const user = evolveAutomationUser(writer.getUser(userId), userId, event, evolveOptions);
      writer.putUser(user);
      // only an event some `unless` names can cancel a timer: others need not read them
      const waiting = automations.remembered.has(event.type) ? writer.waitingTimers(userId) : [];
      const now = clock.now();
      const decision = decideOnEvent(automations, { id: recorded.id, userId, event }, user, waiting, now, options);
      for (const id of decision.cancelled) writer.cancelTimer(id);
      for (const timer of decision.timers) writer.startTimer(timer);
      if (decision.deliveries.length === 0) return;
      const createdAt = new Date(now).toISOString();
      for (const delivery of decision.deliveries) writer.enqueue(delivery, createdAt);
    },
  };
};
