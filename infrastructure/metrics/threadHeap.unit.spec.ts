import { describe, expect, it } from 'vitest';
import { newHeapSlots, publishHeap, readHeap, ThreadHeaps } from './threadHeap.ts';

describe('thread heaps', () => {
  it('reads what a thread published into its slots, and 0 before it did', () => {
    const slots = newHeapSlots();
    expect(readHeap('alerter', slots)).toEqual({ thread: 'alerter', usedBytes: 0, totalBytes: 0 });
    publishHeap(slots, 60_000);
    const heap = readHeap('alerter', slots);
    expect(heap.usedBytes).toBeGreaterThan(0);
    expect(heap.totalBytes).toBeGreaterThanOrEqual(heap.usedBytes);
  });

  it('lists main, then each running thread until it is removed', () => {
    const heaps = new ThreadHeaps();
    const remove = heaps.add('projection timeline', newHeapSlots());
    heaps.add('alerter', newHeapSlots());
    expect(heaps.read().map((h) => h.thread)).toEqual(['main', 'projection timeline', 'alerter']);
    remove();
    expect(heaps.read().map((h) => h.thread)).toEqual(['main', 'alerter']);
  });
});
