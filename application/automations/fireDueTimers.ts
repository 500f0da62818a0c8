import { fireTimer, type TriggerRules } from '../../domain/automations/automationTriggers.ts';
import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import type { AutomationStore } from '../ports/automationStore/automationStore.ts';

/** timers handled per transaction; the tick runs again at once while there are more */
const TIMERS_PER_TICK = 500;

/**
 * One tick of the automation timers: each waiting timer whose instant has passed fires (its
 * delivery is enqueued) or expires (older than the max age), in one transaction with the
 * projection's cancellations, so a timer is either cancelled or fired, never both. Delivery ids
 * are deterministic: a rerun enqueues nothing new. Returns how many fired.
 */
export const fireDueTimers = async (
  store: AutomationStore,
  automations: CompiledAutomations,
  rules: TriggerRules,
  now: number,
): Promise<number> => {
  let fired = 0;
  for (;;) {
    const { handled, enqueued } = await store.update((writer) => {
      const nowIso = new Date(now).toISOString();
      const due = writer.dueTimers(nowIso, TIMERS_PER_TICK);
      let count = 0;
      for (const timer of due) {
        const delivery = fireTimer(automations, timer, writer.getUser(timer.userId), now, rules);
        if (delivery && writer.enqueue(delivery, nowIso)) count++;
        writer.endTimer(timer.id, delivery ? 'fired' : 'expired');
      }
      return { handled: due.length, enqueued: count };
    });
    fired += enqueued;
    if (handled < TIMERS_PER_TICK) return fired;
  }
};
