import type { JsMsg } from '@nats-io/jetstream';
import { ingestRawEvent } from '../../domain/raw/ingestRawEvent.ts';
import { type IngestedEvent, rawEventSchema } from '../../domain/raw/rawEvent.ts';

export type DecodedRawMessage =
  | { readonly ok: true; readonly event: IngestedEvent }
  | { readonly ok: false; readonly reason: string; readonly payload: unknown };

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * Reads one raw message. The collector publishes ingested events; a backend service may
 * publish a plain Segment-style event straight to NATS, which skipped the collector's checks,
 * so every message is validated here and one the collector would have refused becomes a
 * dead letter (stage `collector`) instead of reaching the mapper. An event without
 * `receivedAt` is stamped here: received when JetStream stored it, its messageId from
 * `Nats-Msg-Id` when the body has none.
 */
export const decodeRawMessage = (message: JsMsg, stream: string): DecodedRawMessage => {
  let body: unknown;
  try {
    body = message.json<unknown>();
  } catch {
    return { ok: false, reason: 'not JSON: a raw event is one JSON object', payload: message.string() };
  }
  const parsed = rawEventSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
    return { ok: false, reason: issues.join('; '), payload: body };
  }
  const event = parsed.data as Partial<IngestedEvent>;
  if (isString(event.messageId) && isString(event.receivedAt) && isString(event.timestamp))
    return { ok: true, event: event as IngestedEvent };
  return {
    ok: true,
    event: ingestRawEvent(parsed.data, {
      receivedAt: message.time.getTime(),
      fallbackMessageId: message.headers?.get('Nats-Msg-Id') || `nats-${stream}-${message.seq}`,
    }),
  };
};
