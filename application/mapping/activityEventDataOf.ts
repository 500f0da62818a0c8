import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { ACTIVITY_RECORDED, activityOf } from '../../domain/sessions/activity.ts';
import type { EventData } from '../ports/eventStore/eventStore.ts';
import { journeyEventId } from './journeyEventId.ts';

/** The stored activity of one raw event; its id is deterministic like a journey event's. */
export const activityEventDataOf = (raw: IngestedEvent, userId: string | undefined): EventData => {
  const activity = activityOf(raw);
  return {
    id: journeyEventId(Date.parse(activity.occurredAt), raw.messageId, ACTIVITY_RECORDED),
    type: ACTIVITY_RECORDED,
    data: activity,
    metadata: {
      occurredAt: activity.occurredAt,
      sourceMessageIds: [raw.messageId],
      ...(userId === undefined ? {} : { userId }),
      ...(raw.anonymousId === undefined ? {} : { anonymousId: raw.anonymousId }),
    },
  };
};
