import { decideAppend, type StoredEventId } from '../../application/ports/eventStore/decideAppend.ts';
import {
  type AppendResult,
  type EventData,
  type ExpectedRevision,
  NO_STREAM,
  type RecordedEvent,
  START,
} from '../../application/ports/eventStore/eventStore.ts';
import { ExpectedRevisionConflictError } from '../../domain/errors/journeyError.ts';

/** what appendIdempotently needs of one stream */
export type StreamAccess = {
  /** the newest `count` events, newest first */
  readNewest(count: number): Promise<RecordedEvent[]>;
  readFrom(revision: bigint, count: number): Promise<RecordedEvent[]>;
  /** appends at exactly `expected`; 'conflict' when the stream is elsewhere */
  write(events: readonly EventData[], expected: ExpectedRevision): Promise<AppendResult | 'conflict'>;
};

/** an append that keeps losing races (with ANY) gives up after this many reads */
const MAX_ATTEMPTS = 8;

/**
 * The port's append rules (decideAppend) on a store with only optimistic appends: read the stream's
 * newest `window` events, decide, write at the exact revision read, so a concurrent append fails the
 * write. Ids older than the window are not seen: replayed with ANY, they append again.
 */
export const appendIdempotently = async (
  access: StreamAccess,
  streamId: string,
  events: readonly EventData[],
  expected: ExpectedRevision,
  window: number,
): Promise<AppendResult> => {
  for (let attempt = 1; ; attempt++) {
    const newest = await access.readNewest(window);
    const head = newest[0]?.revision;
    const known = new Map<string, RecordedEvent>(newest.map((e) => [e.id, e]));
    if ((typeof expected === 'bigint' || expected === NO_STREAM) && head !== undefined) {
      const first = expected === NO_STREAM ? 0n : expected + 1n;
      const oldest = newest.at(-1)?.revision ?? 0n;
      if (first < oldest) for (const e of await access.readFrom(first, events.length)) known.set(e.id, e);
    }
    const stored = events.map((e): StoredEventId | undefined => {
      const found = known.get(e.id);
      return found && { streamId, revision: found.revision };
    });
    const decision = decideAppend(streamId, events, expected, head, stored);
    if (decision.kind === 'noop') {
      if (decision.revision < 0n) return { nextExpectedRevision: decision.revision, position: START };
      const at =
        [...known.values()].find((e) => e.revision === decision.revision) ??
        (await access.readFrom(decision.revision, 1))[0];
      return { nextExpectedRevision: decision.revision, position: at?.position ?? START };
    }
    const toWrite = decision.indexes.map((i) => events[i] as EventData);
    const written = await access.write(toWrite, head ?? NO_STREAM);
    if (written !== 'conflict') return written;
    if (attempt >= MAX_ATTEMPTS) {
      throw new ExpectedRevisionConflictError(
        streamId,
        typeof expected === 'bigint' ? `${expected}` : expected,
        `a revision that kept moving during ${MAX_ATTEMPTS} attempts`,
      );
    }
  }
};
