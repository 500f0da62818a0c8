/** One event as the emulator keeps it: the bytes the client sent, plus where it landed. */
export type EmulatedEvent = {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  readonly revision: bigint;
  /** commit and prepare position are equal, as for every non-transactional write on ESDB 20+ */
  readonly position: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as ESDB puts in the `created` metadata */
  readonly created: bigint;
};

export type ProposedEvent = Pick<EmulatedEvent, 'id' | 'type' | 'contentType' | 'data' | 'customMetadata'>;

/** the wire forms of an expected revision (AppendReq.Options) */
export type EmulatedExpectation = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | bigint;

export type AppendOutcome =
  | { readonly kind: 'success'; readonly revision: bigint | undefined; readonly position: bigint | undefined }
  | { readonly kind: 'wrong_expected_version'; readonly current: bigint | undefined };

/** each record takes its size in the log, so positions are sparse like ESDB's byte offsets */
const RECORD_OVERHEAD = 96n;
const TICKS_PER_MS = 10_000n;

const holds = (expected: EmulatedExpectation, head: bigint | undefined): boolean => {
  if (typeof expected === 'bigint') return head === expected;
  if (expected.kind === 'no_stream') return head === undefined;
  if (expected.kind === 'stream_exists') return head !== undefined;
  return true;
};

/**
 * The emulator's log: every event in append order (the `$all` stream) and per stream.
 * Appends are synchronous, so each one is atomic without locks; listeners (live
 * subscriptions) are told after each write.
 */
export class EmulatorStore {
  readonly log: EmulatedEvent[] = [];
  private readonly streams = new Map<string, EmulatedEvent[]>();
  private readonly listeners = new Set<() => void>();
  private nextPosition = 0n;

  /** a fresh ESDB has system events in `$all` too; these make adapters prove they skip them */
  seedSystemEvents(): void {
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const empty = new Uint8Array();
    const system = (type: string) => ({ id: crypto.randomUUID(), type, contentType: 'application/json' });
    this.append('$settings', { kind: 'any' }, [{ ...system('$settings'), data: json({}), customMetadata: empty }]);
    this.append('$$$scavenges', { kind: 'any' }, [
      { ...system('$metadata'), data: json({ $maxAge: 2592000 }), customMetadata: empty },
    ]);
  }

  stream(streamId: string): readonly EmulatedEvent[] | undefined {
    return this.streams.get(streamId);
  }

  /** index of the first event in the log whose position is ≥ `position` (binary search) */
  indexAtOrAfter(position: bigint): number {
    let [low, high] = [0, this.log.length];
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.log[mid] as EmulatedEvent).position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  append(streamId: string, expected: EmulatedExpectation, proposed: readonly ProposedEvent[]): AppendOutcome {
    const stream = this.streams.get(streamId) ?? [];
    const head = stream.at(-1);
    const replayed = this.idempotentReplay(stream, expected, proposed);
    if (replayed) return replayed;
    if (!holds(expected, head?.revision)) return { kind: 'wrong_expected_version', current: head?.revision };
    if (proposed.length === 0) return { kind: 'success', revision: head?.revision, position: undefined };
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    let last: EmulatedEvent | undefined;
    for (const event of proposed) {
      last = { ...event, streamId, revision: BigInt(stream.length), position: this.nextPosition, created };
      this.nextPosition += RECORD_OVERHEAD + BigInt(event.data.length + event.customMetadata.length);
      stream.push(last);
      this.log.push(last);
    }
    this.streams.set(streamId, stream);
    for (const listener of this.listeners) listener();
    return { kind: 'success', revision: last?.revision, position: last?.position };
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * ESDB's idempotency, simplified: proposed ids that are exactly the events after the expected revision
   * (with `any`, a consecutive run anywhere) succeed without writing. ESDB checks `any` against recent
   * writes only; the emulator checks the whole stream.
   */
  private idempotentReplay(
    stream: readonly EmulatedEvent[],
    expected: EmulatedExpectation,
    proposed: readonly ProposedEvent[],
  ): AppendOutcome | undefined {
    const first = proposed[0];
    if (first === undefined) return undefined;
    let start: number;
    if (typeof expected === 'bigint') start = Number(expected) + 1;
    else if (expected.kind === 'no_stream') start = 0;
    else start = stream.findIndex((e) => e.id === first.id);
    if (start < 0 || start + proposed.length > stream.length) return undefined;
    for (let i = 0; i < proposed.length; i++) {
      if (stream[start + i]?.id !== proposed[i]?.id) return undefined;
    }
    const last = stream[start + proposed.length - 1] as EmulatedEvent;
    return { kind: 'success', revision: last.revision, position: last.position };
  }
}
