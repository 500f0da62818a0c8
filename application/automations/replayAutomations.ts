import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import type { AutomationStore, AutomationWriter, StoredDelivery } from '../ports/automationStore/automationStore.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventStore, Position, RecordedEvent } from '../ports/eventStore/eventStore.ts';
import { fireDueTimers } from './fireDueTimers.ts';

const PAGE = 1_000;

/**
 * `journey automations test`: stored history through an automations file, as if it had been live,
 * into a scratch outbox that nothing drains. The projection's clock is each event's own time (so
 * the max-age rule lets history through) and due timers fire between events at their instants.
 * Returns what would have fired at or after `from`, earliest first. Sends nothing.
 */
export const replayAutomations = async (
  eventStore: EventStore,
  scratch: AutomationStore,
  automations: CompiledAutomations,
  /** the automations projection on the given clock, with no max age */
  projection: (clock: Clock) => {
    readonly streamPrefix: string;
    apply(event: RecordedEvent, writer: AutomationWriter): void;
  },
  options: { readonly from: number; readonly until: number; readonly windowDays: number },
): Promise<StoredDelivery[]> => {
  let now = Number.NEGATIVE_INFINITY;
  const applying = projection({ now: () => now });
  // history is old: nothing may count as too old to fire
  const rules = { maxAgeMs: Number.POSITIVE_INFINITY, windowDays: options.windowDays };
  let position: Position | undefined;
  for (;;) {
    const page = await eventStore.readAll({
      ...(position ? { fromPosition: position } : {}),
      streamPrefix: applying.streamPrefix,
      maxCount: PAGE,
    });
    for (const event of page) {
      const at = Date.parse((event.metadata as { occurredAt?: string } | null)?.occurredAt ?? '');
      if (Number.isFinite(at) && at > now) {
        now = at;
        await fireDueTimers(scratch, automations, rules, now);
      }
      await scratch.update((writer) => applying.apply(event, writer));
    }
    position = page.at(-1)?.position ?? position;
    if (page.length < PAGE) break;
  }
  await fireDueTimers(scratch, automations, rules, options.until);
  const fired = await scratch.listDeliveries({ limit: Number.MAX_SAFE_INTEGER });
  return fired
    .filter((d) => Date.parse(d.triggeredAt) >= options.from && Date.parse(d.triggeredAt) <= options.until)
    .sort((a, b) => a.triggeredAt.localeCompare(b.triggeredAt) || a.id.localeCompare(b.id));
};
