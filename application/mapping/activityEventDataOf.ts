import { ACTIVITIES_RECORDED, type Activity } from '../../domain/sessions/activity.ts';
import type { EventData } from '../ports/eventStore/eventStore.ts';
import { journeyEventId } from './journeyEventId.ts';

/**
 * The stored activity of one stream's raw events in a delivery (`ActivitiesRecorded`). Its id
 * comes from the first event's time and every messageId, so a redelivery of the same events
 * gives the same id; a delivery cut otherwise records them again, which sessions count once.
 */
export const activityEventDataOf = (
  activities: readonly Activity[],
  owner: { readonly userId?: string; readonly anonymousId?: string },
): EventData => {
  const messageIds = activities.map((a) => a.messageId);
  const occurredAt = activities[0]?.occurredAt ?? new Date(0).toISOString();
  return {
    id: journeyEventId(Date.parse(occurredAt), ACTIVITIES_RECORDED, ...messageIds),
    type: ACTIVITIES_RECORDED,
    data: { activities },
    metadata: { occurredAt, sourceMessageIds: messageIds, ...owner },
  };
};
