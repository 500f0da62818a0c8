import type { MappingOutcome } from '../mapping/applyRules.ts';

/**
 * What became of a raw event: `pending` until the mapper has seen it, then `mapped` (journey events),
 * `unmapped` (no rule matched) or `rejected` (a rule matched but its data was invalid; the other rules'
 * journey events are still listed).
 */
export const rawEventStatuses = ['pending', 'mapped', 'unmapped', 'rejected'] as const;
export type RawEventStatus = (typeof rawEventStatuses)[number];

export type MappedStatus = Exclude<RawEventStatus, 'pending'>;

/** the status and reason of one mapping outcome; a rejection wins, since it is what needs fixing */
export const statusOfOutcome = (outcome: MappingOutcome): { status: MappedStatus; reason?: string } => {
  if (outcome.errors.length > 0) return { status: 'rejected', reason: outcome.errors.map((e) => e.reason).join('; ') };
  return { status: outcome.events.length > 0 ? 'mapped' : 'unmapped' };
};
