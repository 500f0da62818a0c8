import type { RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';

/** the client's record (from a read or a subscription) as the port's RecordedEvent */
export const toRecordedEvent = (event: EsdbRecordedEvent | undefined): RecordedEvent => {
  if (event === undefined) {
    // only link events without their target come without one, and the adapter never resolves links
    throw new UnavailableError('EventStoreDB sent a read result without an event; is resolveLinkTos on?');
  }
  if (event.position === undefined) {
    throw new UnavailableError(`EventStoreDB sent event ${event.id} of ${event.streamId} without a position`);
  }
  return {
    id: event.id,
    type: event.type,
    // written as JSON by this adapter; a binary event from elsewhere stays bytes
    data: event.data,
    metadata: event.metadata,
    streamId: event.streamId,
    revision: event.revision,
    position: { commit: event.position.commit, prepare: event.position.prepare },
    recordedAt: event.created.toISOString(),
  };
};
