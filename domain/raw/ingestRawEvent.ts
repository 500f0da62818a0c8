import type { IngestedEvent, RawEvent } from './rawEvent.ts';
import { withFields } from './withFields.ts';

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
export const ingestRawEvent = (event: RawEvent, stamp: IngestStamp): IngestedEvent =>
  requestStamper(stamp.receivedAt, stamp.source)(event, stamp.fallbackMessageId);

/**
 * `ingestRawEvent` for every event of one request: the receipt time is formatted once, not
 * once per event (the collector stamps up to 2,500 events with the same instant).
 */
export const requestStamper = (
  receivedAt: number,
  source?: string,
): ((event: RawEvent, fallbackMessageId: string) => IngestedEvent) => {
  const receivedAtText = new Date(receivedAt).toISOString();
  return (event, fallbackMessageId) => {
    const clientTime = event.timestamp ?? event.originalTimestamp;
    const client = clientTime === undefined ? undefined : Date.parse(clientTime);
    const sent = event.sentAt === undefined ? undefined : Date.parse(event.sentAt);
    const corrected = client === undefined ? receivedAt : sent === undefined ? client : receivedAt - (sent - client);
    const stamps: Pick<IngestedEvent, 'messageId' | 'receivedAt' | 'timestamp' | 'originalTimestamp' | 'source'> = {
      messageId: event.messageId ?? fallbackMessageId,
      receivedAt: receivedAtText,
      timestamp: new Date(corrected).toISOString(),
    };
    if (clientTime !== undefined) stamps.originalTimestamp = clientTime;
    if (source !== undefined) stamps.source = source;
    return withFields(event, stamps);
  };
};

/** The key that keeps one person's events in order: the user when known, else the device. */
export const partitionKeyOf = (event: RawEvent): string =>
  event.userId !== undefined ? `u:${event.userId}` : `a:${event.anonymousId ?? ''}`;
