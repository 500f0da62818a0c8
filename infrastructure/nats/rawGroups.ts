import { createHash } from 'node:crypto';
import { partitionKeyOf } from '../../domain/raw/ingestRawEvent.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { partitionOf, partitionSubject, type RawStreamNames } from './rawStreams.ts';

/** One JetStream message of a publish: the events of one partition, in request order. */
export type RawGroup = {
  readonly subject: string;
  /** `Nats-Msg-Id`: the event's messageId for a group of one, else derived from all of them */
  readonly msgId: string;
  /** a JSON array of the events (a single event is still an array of one) */
  readonly body: string;
  readonly count: number;
};

export type GroupedPublish = {
  readonly groups: readonly RawGroup[];
  /** repeats of a messageId within the request, dropped before publishing */
  readonly repeats: number;
};

/**
 * The same messageIds in the same order give the same id, so a client that retries a request
 * produces the same groups and JetStream drops the ones it already stored. A group of one
 * uses the messageId itself, the id a backend publishing single events uses too.
 */
export const groupMsgId = (messageIds: readonly string[]): string =>
  messageIds.length === 1
    ? (messageIds[0] ?? '')
    : `g${messageIds.length}-${createHash('sha256').update(messageIds.join('\n')).digest('base64url')}`;

/**
 * Splits a request's events into one message per partition, in order; a group over `maxBytes`
 * (max_payload less room for headers) becomes several messages. Repeated messageIds keep their first
 * occurrence, as in the embedded logs.
 */
export const groupByPartition = (
  events: readonly IngestedEvent[],
  names: RawStreamNames,
  maxBytes: number,
): GroupedPublish => {
  const seen = new Set<string>();
  const byPartition = new Map<number, IngestedEvent[]>();
  let repeats = 0;
  for (const event of events) {
    if (seen.has(event.messageId)) {
      repeats++;
      continue;
    }
    seen.add(event.messageId);
    const partition = partitionOf(partitionKeyOf(event), names.partitions);
    const list = byPartition.get(partition);
    if (list) list.push(event);
    else byPartition.set(partition, [event]);
  }
  const groups: RawGroup[] = [];
  for (const [partition, list] of byPartition) {
    const subject = partitionSubject(names, partition);
    let jsons: string[] = [];
    let ids: string[] = [];
    let bytes = 2;
    const flush = () => {
      if (jsons.length === 0) return;
      groups.push({ subject, msgId: groupMsgId(ids), body: `[${jsons.join(',')}]`, count: jsons.length });
      jsons = [];
      ids = [];
      bytes = 2;
    };
    for (const event of list) {
      const json = JSON.stringify(event);
      const size = Buffer.byteLength(json) + 1;
      if (jsons.length > 0 && bytes + size > maxBytes) flush();
      jsons.push(json);
      ids.push(event.messageId);
      bytes += size;
    }
    flush();
  }
  return { groups, repeats };
};
