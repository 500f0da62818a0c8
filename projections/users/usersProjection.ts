import { JOURNEY_STREAM_PREFIX, type JourneyEventType } from '../../domain/journey/journeyEvent.ts';
import { journeyEventOf } from '../journeyEventOf.ts';
import type { Projection } from '../projection.ts';
import { evolveProfile } from './evolveProfile.ts';

export const DEFAULT_MEANINGFUL_EVENTS: readonly JourneyEventType[] = [
  'ProjectCreated',
  'DeploymentStarted',
  'DeploymentCompleted',
];

/**
 * Users: the profile (who, when signed up, last seen) and the UTC days of meaningful
 * activity that stage and funnel queries count. One projection, one checkpoint, so a
 * profile and its activity always agree.
 */
export const usersProjection = (meaningful: ReadonlySet<JourneyEventType>): Projection => ({
  name: 'users',
  // 2: the stage deltas (stage_instants, stage_minutes, stage_days, stage_window); a version 1
  // file needs no rebuild, opening it derives them from users and activity days
  version: 2,
  streamPrefix: JOURNEY_STREAM_PREFIX,
  apply(recorded, writer) {
    const journey = journeyEventOf(recorded);
    if (!journey) return;
    const { userId, event } = journey;
    writer.putProfile(evolveProfile(writer.getProfile(userId), userId, event, meaningful));
    if (meaningful.has(event.type)) writer.addActivity(userId, event.metadata.occurredAt);
  },
});
