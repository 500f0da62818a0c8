import { getHeapStatistics } from 'node:v8';

/** One thread's V8 heap, as `journey_thread_heap_*_bytes{thread}` exports it. */
export type ThreadHeap = { readonly thread: string; readonly usedBytes: number; readonly totalBytes: number };

/** where a worker thread keeps its heap figures for its parent: used, total (bytes) */
export const newHeapSlots = (): SharedArrayBuffer => new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);

/**
 * Writes this thread's heap into `slots` now and every `everyMs`. Shared memory, not a message: the
 * parent reads it at scrape time with no round trip, and an unref'd timer keeps no thread alive.
 */
export const publishHeap = (slots: SharedArrayBuffer, everyMs = 1_000): void => {
  const figures = new Float64Array(slots);
  const write = () => {
    const heap = getHeapStatistics();
    figures[0] = heap.used_heap_size;
    figures[1] = heap.total_heap_size;
  };
  write();
  setInterval(write, everyMs).unref();
};

/** what a worker last published into `slots` (0 before its first write) */
export const readHeap = (thread: string, slots: SharedArrayBuffer): ThreadHeap => {
  const figures = new Float64Array(slots);
  return { thread, usedBytes: figures[0] ?? 0, totalBytes: figures[1] ?? 0 };
};

/** this thread's heap, read directly */
export const ownHeap = (thread: string): ThreadHeap => {
  const heap = getHeapStatistics();
  return { thread, usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size };
};

/**
 * The worker threads of one Journey process: each supervised worker adds itself while it runs, and
 * the metrics read them all at scrape time. Per process, not module-wide, so two Journeys in one test
 * process do not report each other's threads.
 */
export class ThreadHeaps {
  private readonly threads = new Map<symbol, { readonly thread: string; readonly slots: SharedArrayBuffer }>();

  /** registers a running thread; returns how to remove it when it ends */
  add(thread: string, slots: SharedArrayBuffer): () => void {
    const key = Symbol(thread);
    this.threads.set(key, { thread, slots });
    return () => this.threads.delete(key);
  }

  /** this thread's heap as `main`, then each running worker's */
  read(): ThreadHeap[] {
    return [ownHeap('main'), ...[...this.threads.values()].map((t) => readHeap(t.thread, t.slots))];
  }
}
