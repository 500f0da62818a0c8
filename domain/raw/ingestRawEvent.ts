import type { IngestedEvent, RawEvent } from './rawEvent.ts';

export type IngestStamp = {
  /** when the server received the request, epoch milliseconds */
  receivedAt: number;
  /** used when the event has no messageId of its own; the caller makes it (ids are not pure) */
  fallbackMessageId: string;
  source?: string;
};

/**
 * Stamps the server's receipt time and corrects client clock skew the way Segment does:
 * `timestamp = receivedAt − (sentAt − timestamp)`. Without `sentAt` the client's timestamp is
 * trusted as is; without any timestamp the event happened when it was received.
 */
export const ingestRawEvent = (event: RawEvent, stamp: IngestStamp): IngestedEvent => {
  const clientTime = event.timestamp ?? event.originalTimestamp;
  const client = clientTime === undefined ? undefined : Date.parse(clientTime);
  const sent = event.sentAt === undefined ? undefined : Date.parse(event.sentAt);
  const corrected =
    client === undefined ? stamp.receivedAt : sent === undefined ? client : stamp.receivedAt - (sent - client);
  return {
    ...event,
    messageId: event.messageId ?? stamp.fallbackMessageId,
    receivedAt: new Date(stamp.receivedAt).toISOString(),
    timestamp: new Date(corrected).toISOString(),
    ...(clientTime === undefined ? {} : { originalTimestamp: clientTime }),
    ...(stamp.source === undefined ? {} : { source: stamp.source }),
  };
};

/** The key that keeps one person's events in order: the user when known, else the device. */
export const partitionKeyOf = (event: RawEvent): string =>
  event.userId !== undefined ? `u:${event.userId}` : `a:${event.anonymousId ?? ''}`;
