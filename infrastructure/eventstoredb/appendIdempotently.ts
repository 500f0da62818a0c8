import { decideAppend, type StoredEventId } from '../../application/ports/eventStore/decideAppend.ts';
import {
  ANY,
  type AppendResult,
  type EventData,
  type ExpectedRevision,
  NO_STREAM,
  type RecordedEvent,
  START,
} from '../../application/ports/eventStore/eventStore.ts';
import { ExpectedRevisionConflictError, isExpectedRevisionConflictError } from '../../domain/errors/journeyError.ts';
import type { StreamIdCache } from './streamIdCache.ts';
import { StreamIdIndex } from './streamIdIndex.ts';

/** what appendIdempotently needs of one stream */
export type StreamAccess = {
  /** up to `count` events from `revision` on, oldest first; [] past the end or without a stream */
  readFrom(revision: bigint, count: number): Promise<RecordedEvent[]>;
  /** appends at exactly `expected`; 'conflict' when the stream is elsewhere */
  write(events: readonly EventData[], expected: ExpectedRevision): Promise<AppendResult | 'conflict'>;
};

/** an append that keeps losing races gives up after this many catch-ups */
const MAX_ATTEMPTS = 8;
/** events per read while an index catches up with the stream */
const PAGE = 4_096;
/** candidate revisions this close together are confirmed by one read */
const RUN_GAP = 32n;

/** reads the stream's events after the index's head into it; how many there were */
const catchUp = async (access: StreamAccess, index: StreamIdIndex): Promise<number> => {
  let added = 0;
  for (;;) {
    const page = await access.readFrom(index.head === undefined ? 0n : index.head + 1n, PAGE);
    for (const event of page) index.add(event.id, event.revision);
    added += page.length;
    if (page.length < PAGE) return added;
  }
};

/** reads the events at `revisions` (sorted, distinct), nearby ones in one read */
const readAt = async (access: StreamAccess, revisions: readonly bigint[]): Promise<Map<bigint, RecordedEvent>> => {
  const read = new Map<bigint, RecordedEvent>();
  for (let i = 0; i < revisions.length; ) {
    const first = revisions[i] as bigint;
    let last = first;
    while (i + 1 < revisions.length && (revisions[i + 1] as bigint) - last <= RUN_GAP) last = revisions[++i] as bigint;
    i++;
    for (const event of await access.readFrom(first, Number(last - first) + 1)) read.set(event.revision, event);
  }
  return read;
};

/** where each event's id is stored in the stream: the index's candidates, confirmed by reading them */
const locate = async (
  access: StreamAccess,
  streamId: string,
  index: StreamIdIndex,
  events: readonly EventData[],
): Promise<{ stored: (StoredEventId | undefined)[]; read: Map<bigint, RecordedEvent> }> => {
  const candidates = events.map((e) => index.candidates(e.id));
  const wanted = [...new Set(candidates.flat())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const read = wanted.length === 0 ? new Map<bigint, RecordedEvent>() : await readAt(access, wanted);
  const stored = events.map((e, i): StoredEventId | undefined => {
    const revision = candidates[i]?.find((r) => read.get(r)?.id === e.id);
    return revision === undefined ? undefined : { streamId, revision };
  });
  return { stored, read };
};

/**
 * The port's append rules (decideAppend) on a store with only optimistic appends, at any stream
 * length: each stream's ids sit in a compact index (StreamIdIndex), built by reading the stream once
 * and kept up to date by this process's writes. Every write is at the exact revision the index has
 * reached, so a write by another process fails it, the index reads what it missed, and the append
 * is decided again. A conflict or a no-op that depends on the head is only reported once the index
 * has caught up in this call.
 */
export const appendIdempotently = (
  access: StreamAccess,
  cache: StreamIdCache,
  streamId: string,
  events: readonly EventData[],
  expected: ExpectedRevision,
): Promise<AppendResult> =>
  cache.exclusive(streamId, async () => {
    let index = cache.get(streamId);
    let current = false;
    if (index === undefined) {
      index = new StreamIdIndex();
      await catchUp(access, index);
      cache.set(streamId, index);
      current = true;
    }
    const refresh = async (target: StreamIdIndex): Promise<void> => {
      cache.grew(streamId, await catchUp(access, target));
      current = true;
    };
    for (let attempt = 1; ; attempt++) {
      const { stored, read } = await locate(access, streamId, index, events);
      let decision: ReturnType<typeof decideAppend>;
      try {
        decision = decideAppend(streamId, events, expected, index.head, stored);
      } catch (error) {
        if (current || !isExpectedRevisionConflictError(error)) throw error;
        await refresh(index);
        continue;
      }
      if (decision.kind === 'noop') {
        // a replay with ANY holds whatever came since; anything else was decided on the head
        if (!current && expected !== ANY) {
          await refresh(index);
          continue;
        }
        if (decision.revision < 0n) return { nextExpectedRevision: decision.revision, position: START };
        const at = read.get(decision.revision) ?? (await access.readFrom(decision.revision, 1))[0];
        return { nextExpectedRevision: decision.revision, position: at?.position ?? START };
      }
      const toWrite = decision.indexes.map((i) => events[i] as EventData);
      const head = index.head;
      const written = await access.write(toWrite, head ?? NO_STREAM);
      if (written !== 'conflict') {
        let revision = head === undefined ? 0n : head + 1n;
        for (const event of toWrite) index.add(event.id, revision++);
        cache.grew(streamId, toWrite.length);
        return written;
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new ExpectedRevisionConflictError(
          streamId,
          typeof expected === 'bigint' ? `${expected}` : expected,
          `a revision that kept moving during ${MAX_ATTEMPTS} attempts`,
        );
      }
      const missed = await catchUp(access, index);
      cache.grew(streamId, missed);
      current = true;
      if (missed === 0) {
        // the server refused the index's head, yet has nothing after it: the stream was deleted or
        // truncated behind this process's back, so the index is rebuilt from what is there now
        index = new StreamIdIndex();
        await catchUp(access, index);
        cache.set(streamId, index);
      }
    }
  });
