import type { RecordedEvent } from '../../application/eventStore.ts';
import type { ReadModelWriter } from '../../application/readModels.ts';
import {
  type AnyJourneyEvent,
  isJourneyEventType,
  JOURNEY_STREAM_PREFIX,
  type JourneyEventMetadata,
  type JourneyEventType,
  userIdOfStream,
} from '../../domain/journey/journeyEvent.ts';
import type { Projection } from '../projection.ts';
import { evolveProfile } from './evolveProfile.ts';

export const DEFAULT_MEANINGFUL_EVENTS: readonly JourneyEventType[] = [
  'ProjectCreated',
  'DeploymentStarted',
  'DeploymentCompleted',
];

/**
 * The journey read models from the per-user streams: the timeline, the user profile, and
 * the days of meaningful activity the stage and funnel queries count. One projection, one
 * pass over the log, one checkpoint: the three always agree with each other.
 */
export const journeyProjection = (meaningful: ReadonlySet<JourneyEventType>): Projection => ({
  name: 'journey',
  version: 1,
  streamPrefix: JOURNEY_STREAM_PREFIX,
  apply(recorded: RecordedEvent, writer: ReadModelWriter): void {
    const userId = userIdOfStream(recorded.streamId);
    // Types this version does not know come from newer mappers; a rebuild picks them up.
    if (userId === undefined || !isJourneyEventType(recorded.type)) return;
    const metadata = recorded.metadata as JourneyEventMetadata;
    const event = { type: recorded.type, data: recorded.data, metadata } as AnyJourneyEvent;
    writer.addTimelineEntry({
      userId,
      eventId: recorded.id,
      type: event.type,
      occurredAt: metadata.occurredAt,
      data: event.data,
      ruleId: metadata.ruleId,
      sourceMessageIds: metadata.sourceMessageIds,
    });
    writer.putProfile(evolveProfile(writer.getProfile(userId), userId, event, meaningful));
    if (meaningful.has(event.type)) writer.addActivity(userId, metadata.occurredAt);
  },
});
