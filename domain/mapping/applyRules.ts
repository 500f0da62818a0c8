import { type JourneyEventType, journeyEventDataSchemas } from '../journey/journeyEvent.ts';
import type { IngestedEvent } from '../raw/rawEvent.ts';
import { type CompiledField, type CompiledRules, toNumber } from './compileRules.ts';

export type MappedEvent = { type: JourneyEventType; data: Record<string, unknown>; ruleId: string };
export type MappingError = { ruleId: string; reason: string };
export type MappingOutcome = { events: MappedEvent[]; errors: MappingError[] };

const fieldValue = (field: CompiledField, event: unknown): unknown => {
  const value = field.read(event);
  switch (field.coercion) {
    case 'toNumber': {
      if (typeof value !== 'string') return value;
      const n = toNumber(value);
      return Number.isNaN(n) ? value : n;
    }
    case 'toString':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    case 'none':
      return value;
    default: {
      const unknownCoercion: never = field.coercion;
      return unknownCoercion;
    }
  }
};

/**
 * Turns one raw event into journey events: every rule whose `when` holds emits, in rule order. Data a
 * type's schema refuses is an error for that rule only (dead-lettered with the reason), so one bad
 * field never loses the other events. Pure, never throws.
 */
export const applyRules = (rules: CompiledRules, event: IngestedEvent): MappingOutcome => {
  const outcome: MappingOutcome = { events: [], errors: [] };
  for (const rule of rules.rules) {
    if (!rule.matches(event)) continue;
    const data: Record<string, unknown> = {};
    for (const field of rule.fields) {
      const value = fieldValue(field, event);
      if (value !== undefined) data[field.name] = value;
    }
    const result = journeyEventDataSchemas[rule.emit].safeParse(data);
    if (result.success) {
      outcome.events.push({ type: rule.emit, data: result.data, ruleId: rule.id });
    } else {
      const problems = result.error.issues.map(
        (i) => `field ${i.path.map(String).join('.') || '(data)'}: ${i.message}`,
      );
      outcome.errors.push({
        ruleId: rule.id,
        reason: `rule ${rule.id} produced invalid ${rule.emit} data: ${problems.join('; ')}; fix the event or the rule's data mapping`,
      });
    }
  }
  return outcome;
};
