import type { JsMsg } from '@nats-io/jetstream';
import { ingestRawEvent } from '../../domain/raw/ingestRawEvent.ts';
import { type IngestedEvent, rawEventSchema } from '../../domain/raw/rawEvent.ts';

export type RefusedRawEvent = { readonly reason: string; readonly payload: unknown };

/** a message's events in order, and what could not be read as an event */
export type DecodedRawMessage = {
  readonly events: readonly IngestedEvent[];
  readonly refused: readonly RefusedRawEvent[];
};

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * Reads one raw message: a JSON array of events (what the collector publishes, one group per
 * partition and request) or a single event object (what a backend service may publish
 * straight to NATS). Such a backend skipped the collector's checks, so every event is
 * validated here and one the collector would have refused is returned as refused (a dead
 * letter with stage `collector`) instead of reaching the mapper. An event without
 * `receivedAt` is stamped here: received when JetStream stored it, its messageId from
 * `Nats-Msg-Id` when the body has none (with the position appended for arrays).
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
    const parsed = rawEventSchema.safeParse(item);
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
