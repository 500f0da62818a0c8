import type { StreamIdIndex } from './streamIdIndex.ts';

/**
 * The id indexes of the streams this process appended to lately, least recently used dropped first
 * once they hold more than `maxEvents` events together (the one in use is kept whatever its size).
 * Appends to one stream run one at a time here, so they share its index instead of racing on it;
 * other processes are caught by the expected revision of each write.
 */
export class StreamIdCache {
  private readonly indexes = new Map<string, StreamIdIndex>();
  private readonly tails = new Map<string, Promise<void>>();
  private events = 0;

  constructor(private readonly maxEvents: number) {}

  /** the stream's index, now the most recently used, or undefined when not held */
  get(streamId: string): StreamIdIndex | undefined {
    const index = this.indexes.get(streamId);
    if (index === undefined) return undefined;
    this.indexes.delete(streamId);
    this.indexes.set(streamId, index);
    return index;
  }

  set(streamId: string, index: StreamIdIndex): void {
    this.events -= this.indexes.get(streamId)?.size ?? 0;
    this.indexes.delete(streamId);
    this.indexes.set(streamId, index);
    this.events += index.size;
    this.evict();
  }

  /** tells the cache that an index it holds grew by `added` events */
  grew(streamId: string, added: number): void {
    if (!this.indexes.has(streamId)) return;
    this.events += added;
    this.evict();
  }

  /** runs `action` once the stream's earlier actions have finished */
  exclusive<T>(streamId: string, action: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(streamId) ?? Promise.resolve()).then(action);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(streamId, tail);
    void tail.then(() => {
      if (this.tails.get(streamId) === tail) this.tails.delete(streamId);
    });
    return run;
  }

  /** streams and events held, for tests */
  held(): { streams: number; events: number } {
    return { streams: this.indexes.size, events: this.events };
  }

  private evict(): void {
    for (const [streamId, index] of this.indexes) {
      if (this.events <= this.maxEvents || this.indexes.size <= 1) return;
      this.indexes.delete(streamId);
      this.events -= index.size;
    }
  }
}
