import { describe, expect, it } from 'vitest';
import { StreamIdCache } from './streamIdCache.ts';
import { StreamIdIndex } from './streamIdIndex.ts';

const indexOf = (events: number): StreamIdIndex => {
  const index = new StreamIdIndex();
  for (let i = 0; i < events; i++) index.add(`e${i}`, BigInt(i));
  return index;
};

describe('StreamIdCache', () => {
  it('lets the least recently used streams go once their events exceed the limit', () => {
    const cache = new StreamIdCache(10);
    cache.set('a', indexOf(4));
    cache.set('b', indexOf(4));
    cache.get('a');
    cache.set('c', indexOf(4));
    expect([cache.get('a') !== undefined, cache.get('b'), cache.get('c') !== undefined]).toEqual([
      true,
      undefined,
      true,
    ]);
    expect(cache.held()).toEqual({ streams: 2, events: 8 });
    const a = cache.get('a') as StreamIdIndex;
    a.add('more', 4n);
    a.add('more-2', 5n);
    a.add('more-3', 6n);
    cache.grew('a', 3);
    expect([cache.get('c'), cache.held()]).toEqual([undefined, { streams: 1, events: 7 }]);
  });

  it('keeps the stream in use however large', () => {
    const cache = new StreamIdCache(10);
    cache.set('heavy', indexOf(50));
    expect(cache.held()).toEqual({ streams: 1, events: 50 });
  });

  it('runs one stream’s actions one after another, even when one fails', async () => {
    const cache = new StreamIdCache(10);
    const order: string[] = [];
    let release = () => {};
    const first = cache.exclusive('s', async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push('first');
      throw new Error('failed');
    });
    const second = cache.exclusive('s', async () => order.push('second'));
    const other = cache.exclusive('t', async () => order.push('other'));
    await other;
    release();
    await expect(first).rejects.toThrow('failed');
    await second;
    expect(order).toEqual(['other', 'first', 'second']);
  });
});
