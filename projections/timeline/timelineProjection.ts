import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { journeyEventOf } from '../journeyEventOf.ts';
import type { Projection } from '../projection.ts';

/**
 * Each user's journey timeline: every journey event, in event-time order when read. Kept
 * apart from the users projection so the two run side by side (the embedded projector gives
 * this one a worker thread: one scattered index each, on two cores).
 */
export const timelineProjection: Projection = {
  name: 'timeline',
  version: 1,
  streamPrefix: JOURNEY_STREAM_PREFIX,
  apply(recorded, writer) {
    const journey = journeyEventOf(recorded);
    if (!journey) return;
    const { userId, event } = journey;
    writer.addTimelineEntry({
      userId,
      eventId: recorded.id,
      type: event.type,
      occurredAt: event.metadata.occurredAt,
      data: event.data,
      ruleId: event.metadata.ruleId,
      sourceMessageIds: event.metadata.sourceMessageIds,
      position: recorded.position,
    });
  },
};
