/**
 * The event store port; the contract suite checks its conventions. The first revision is 0n, appends
 * are idempotent by event id within a stream, a missing stream reads as [], and `fromPosition` is
 * exclusive, so a checkpoint is the last position processed.
 */
export const NO_STREAM = 'no_stream' as const;
export const STREAM_EXISTS = 'stream_exists' as const;
export const ANY = 'any' as const;
export type ExpectedRevision = bigint | typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY;

/** EventStoreDB positions have two parts; SQLite and memory use the same number for both. */
export type Position = { readonly commit: bigint; readonly prepare: bigint };
export const START: Position = { commit: -1n, prepare: -1n };
export const comparePositions = (a: Position, b: Position): number =>
  a.commit === b.commit ? (a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1) : a.commit < b.commit ? -1 : 1;
/** equal positions, or both null (no checkpoint yet) */
export const samePosition = (a: Position | null, b: Position | null): boolean =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;
export const positionToString = (p: Position): string => `${p.commit}/${p.prepare}`;
export const positionFromString = (s: string): Position => {
  const [commit, prepare] = s.split('/');
  if (commit === undefined || prepare === undefined) throw new Error(`not a position: ${s}`);
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
};

export type EventData = {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
};

export type RecordedEvent = {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: Position;
  /** when the store wrote it (not the event time, which lives in metadata) */
  readonly recordedAt: string;
};

export type AppendResult = { readonly nextExpectedRevision: bigint; readonly position: Position };

export type ReadStreamOptions = {
  readonly direction?: 'forwards' | 'backwards';
  /** inclusive; defaults to the start (forwards) or the end (backwards) */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
};

export type ReadAllOptions = {
  /** exclusive; defaults to the very start */
  readonly fromPosition?: Position;
  readonly maxCount?: number;
  /** only events of streams whose id starts with this */
  readonly streamPrefix?: string;
};

export type SubscribeAllOptions = Omit<ReadAllOptions, 'maxCount'> & { readonly batchSize?: number };

/**
 * A catch-up subscription: first everything after `fromPosition`, then new events as they
 * are appended. Iterate it for batches; `close()` ends the iteration.
 */
export interface AllSubscription extends AsyncIterable<readonly RecordedEvent[]> {
  close(): Promise<void>;
}

export interface EventStore {
  append(
    streamId: string,
    events: readonly EventData[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeAll(options?: SubscribeAllOptions): AllSubscription;
  /** the position of the newest event in the store (matching the prefix), or null when empty */
  headPosition(options?: { readonly streamPrefix?: string }): Promise<Position | null>;
  close(): Promise<void>;
}

export const EventStoreToken = Symbol.for('journey.EventStore');
