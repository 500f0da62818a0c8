import type { TriggerRules } from '../../domain/automations/automationTriggers.ts';
import type { JourneyEventType } from '../../domain/journey/journeyEvent.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';

/** what the automations projection and the timer tick need of the configuration */
export const automationRulesOf = (
  config: JourneyConfig,
): TriggerRules & { readonly meaningful: ReadonlySet<JourneyEventType> } => ({
  maxAgeMs: config.JOURNEY_AUTOMATION_MAX_AGE_MINUTES * 60_000,
  windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
  meaningful: new Set(config.JOURNEY_MEANINGFUL_EVENTS),
});
