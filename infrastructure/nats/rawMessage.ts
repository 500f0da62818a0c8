import type { JsMsg } from '@nats-io/jetstream';
import { ingestRawEvent } from '../../domain/raw/ingestRawEvent.ts';
import { type IngestedEvent, safeParseRawEvent } from '../../domain/raw/rawEvent.ts';

export type RefusedRawEvent = { readonly reason: string; readonly payload: unknown };

/** a message's events in order, and what could not be read as an event */
export type DecodedRawMessage = {
  readonly events: readonly IngestedEvent[];
  readonly refused: readonly RefusedRawEvent[];
};

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * Reads one raw message: a JSON array (the collector's group) or one event (a backend publishing
 * straight to NATS). Such a backend skipped the collector's checks, so every event is validated here
 * and a refused one is dead-lettered as `collector`.
 */
export const decodeRawMessage = (message: JsMsg, stream: string): DecodedRawMessage => {
  let body: unknown;
  try {
    body = message.json<unknown>();
  } catch {
    return {
      events: [],
      refused: [
        { reason: 'not JSON: a raw event is one JSON object (or an array of them)', payload: message.string() },
      ],
    };
  }
  const items = Array.isArray(body) ? body : [body];
  const baseId = message.headers?.get('Nats-Msg-Id') || `nats-${stream}-${message.seq}`;
  const events: IngestedEvent[] = [];
  const refused: RefusedRawEvent[] = [];
  items.forEach((item, i) => {
    const parsed = safeParseRawEvent(item);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
      refused.push({ reason: issues.join('; '), payload: item });
      return;
    }
    const event = parsed.data as Partial<IngestedEvent>;
    if (isString(event.messageId) && isString(event.receivedAt) && isString(event.timestamp)) {
      events.push(event as IngestedEvent);
      return;
    }
    events.push(
      ingestRawEvent(parsed.data, {
        receivedAt: message.time.getTime(),
        fallbackMessageId: Array.isArray(body) ? `${baseId}-${i}` : baseId,
      }),
    );
  });
  return { events, refused };
};
