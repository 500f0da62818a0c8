import type { RecordedEvent } from '../application/ports/eventStore/eventStore.ts';
import {
  type AnyJourneyEvent,
  isJourneyEventType,
  type JourneyEventMetadata,
  userIdOfStream,
} from '../domain/journey/journeyEvent.ts';

/**
 * A stored event as the journey event it is, with its user; undefined for other streams
 * and for types this version does not know (they come from newer mappers; a rebuild after
 * the upgrade picks them up).
 */
export const journeyEventOf = (recorded: RecordedEvent): { userId: string; event: AnyJourneyEvent } | undefined => {
  const userId = userIdOfStream(recorded.streamId);
  if (userId === undefined || !isJourneyEventType(recorded.type)) return undefined;
  const metadata = recorded.metadata as JourneyEventMetadata;
  return { userId, event: { type: recorded.type, data: recorded.data, metadata } as AnyJourneyEvent };
};
