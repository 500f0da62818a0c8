import type { MappedEvent } from '../../domain/mapping/applyRules.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import type { EventData } from '../ports/eventStore/eventStore.ts';
import { journeyEventId } from './journeyEventId.ts';

/**
 * The stored form of one mapped journey event: its deterministic id, and metadata with the
 * event time, the raw messageId it came from, the rule, and who it belongs to.
 */
export const journeyEventDataOf = (raw: IngestedEvent, mapped: MappedEvent, userId: string | undefined): EventData => {
  const occurredAt = Date.parse(raw.timestamp);
  return {
    id: journeyEventId(occurredAt, raw.messageId, mapped.ruleId),
    type: mapped.type,
    data: mapped.data,
    metadata: {
      occurredAt: new Date(occurredAt).toISOString(),
      sourceMessageIds: [raw.messageId],
      ruleId: mapped.ruleId,
      ...(userId === undefined ? {} : { userId }),
      ...(raw.anonymousId === undefined ? {} : { anonymousId: raw.anonymousId }),
    },
  };
};
