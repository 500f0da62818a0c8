import { describe, expect, it } from 'vitest';
import { deferredAdapter } from './deferredAdapter.ts';

class Pages {
  async count(): Promise<number> {
    return 2;
  }
  async *pages(size: number): AsyncIterable<number[]> {
    yield [size];
    yield [size, size];
  }
}

describe('deferredAdapter', () => {
  it('opens once and passes calls through', async () => {
    let opened = 0;
    const adapter = deferredAdapter(async () => {
      opened++;
      return new Pages();
    }, Pages.prototype);
    expect([await adapter.count(), await adapter.count(), opened]).toEqual([2, 2, 1]);
  });

  it('returns an async generator method’s iterable as one, so `for await` can read it before the open', async () => {
    const adapter = deferredAdapter(async () => new Pages(), Pages.prototype);
    const seen: number[][] = [];
    for await (const page of adapter.pages(3)) seen.push(page);
    expect(seen).toEqual([[3], [3, 3]]);
  });
});
