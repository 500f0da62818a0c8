import { ExpectedRevisionConflictError, ValidationError } from '../../../domain/errors/journeyError.ts';
import { ANY, type EventData, type ExpectedRevision, NO_STREAM, STREAM_EXISTS } from './eventStore.ts';

/** Where an event id already lives in the store, if anywhere. */
export type StoredEventId = { readonly streamId: string; readonly revision: bigint };

export type AppendDecision =
  /** write these events (indexes into the request, in order) after the current head */
  | { readonly kind: 'append'; readonly indexes: readonly number[] }
  /** write nothing; report this revision (−1n: the stream does not exist) */
  | { readonly kind: 'noop'; readonly revision: bigint };

const describe = (expected: ExpectedRevision): string => (typeof expected === 'bigint' ? `${expected}` : expected);

/** whether a stream whose last revision is `head` (undefined: no stream) satisfies `expected` */
export const expectedRevisionHolds = (expected: ExpectedRevision, head: bigint | undefined): boolean =>
  expected === ANY ||
  (expected === NO_STREAM && head === undefined) ||
  (expected === STREAM_EXISTS && head !== undefined) ||
  (typeof expected === 'bigint' && head === expected);

/** Throws the port's conflict error when `head` does not satisfy `expected`. */
export const checkExpectedRevision = (streamId: string, expected: ExpectedRevision, head: bigint | undefined): void => {
  if (!expectedRevisionHolds(expected, head)) {
    throw new ExpectedRevisionConflictError(streamId, describe(expected), head === undefined ? NO_STREAM : `${head}`);
  }
};

const idInOtherStreamMessage = (streamId: string, id: string | undefined, stored: StoredEventId): string =>
  `append to ${streamId}: event id ${id} is already stored in stream ${stored.streamId} at revision ${stored.revision}; event ids must be unique across the store`;

/** true when the stored ids are exactly the events an append with `expected` would have written */
const isReplay = (expected: ExpectedRevision, stored: readonly StoredEventId[]): boolean => {
  if (expected === ANY || expected === STREAM_EXISTS) return true;
  const first = expected === NO_STREAM ? 0n : expected + 1n;
  return stored.every((s, i) => s.revision === first + BigInt(i));
};

/**
 * The append rules every adapter shares: ids unique across streams; a request whose ids all sit where
 * it would have put them is a replay (nothing written); else the revision must hold and ids already in
 * the stream are skipped. `stored[i]` is where `events[i].id` lives.
 */
export const decideAppend = (
  streamId: string,
  events: readonly EventData[],
  expected: ExpectedRevision,
  head: bigint | undefined,
  stored: readonly (StoredEventId | undefined)[],
): AppendDecision => {
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event.id)) {
      throw new ValidationError(`append to ${streamId}: event id ${event.id} appears twice in one append`);
    }
    seen.add(event.id);
  }
  const inStream: StoredEventId[] = [];
  const indexes: number[] = [];
  stored.forEach((s, i) => {
    if (s === undefined) indexes.push(i);
    else if (s.streamId === streamId) inStream.push(s);
    else {
      throw new ValidationError(idInOtherStreamMessage(streamId, events[i]?.id, s));
    }
  });
  if (events.length > 0 && indexes.length === 0 && isReplay(expected, inStream)) {
    let last = -1n;
    for (const s of inStream) if (s.revision > last) last = s.revision;
    return { kind: 'noop', revision: last };
  }
  checkExpectedRevision(streamId, expected, head);
  return indexes.length === 0 ? { kind: 'noop', revision: head ?? -1n } : { kind: 'append', indexes };
};
