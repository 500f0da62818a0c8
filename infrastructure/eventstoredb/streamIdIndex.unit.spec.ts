import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StreamIdIndex } from './streamIdIndex.ts';

describe('StreamIdIndex', () => {
  it('finds every id it holds at its revision, through growth, and calls unknown ids new', () => {
    const index = new StreamIdIndex();
    const ids = Array.from({ length: 20_000 }, () => randomUUID());
    for (const [revision, id] of ids.entries()) index.add(id, BigInt(revision));
    expect([index.size, index.head]).toEqual([20_000, 19_999n]);
    expect(ids.filter((id, revision) => !index.candidates(id).includes(BigInt(revision)))).toEqual([]);
    const strangers = Array.from({ length: 20_000 }, () => randomUUID());
    // a stranger sharing a fingerprint only costs a read; with 32 bits that is about 1 in 200,000 here
    expect(strangers.filter((id) => index.candidates(id).length > 0).length).toBeLessThan(5);
  });

  it('is empty and headless before its first event', () => {
    const index = new StreamIdIndex();
    expect([index.size, index.head, index.candidates('x')]).toEqual([0, undefined, []]);
  });
});
