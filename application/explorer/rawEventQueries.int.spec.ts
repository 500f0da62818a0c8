import { describe, expect, it } from 'vitest';
import { MemoryRawEventIndex } from '../../testing/memory/memoryRawEventIndex.ts';
import { rawEvent } from '../ports/rawEventIndex/rawEventIndex.fixtures.ts';
import { RawEventQueries } from './rawEventQueries.ts';

/** the next change a follow yields, or 'none' if it yields nothing within `ms` */
const nextWithin = async <T>(changes: AsyncGenerator<T>, ms: number): Promise<T | 'none'> =>
  Promise.race([
    changes.next().then((r) => (r.done ? 'none' : r.value)),
    new Promise<'none'>((r) => setTimeout(() => r('none'), ms)),
  ]);

describe('RawEventQueries.follow', () => {
  it('wakes on news of a write instead of waiting out its poll, and stops listening when it ends', async () => {
    const index = new MemoryRawEventIndex();
    const listeners = new Set<() => void>();
    const written = (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    const queries = new RawEventQueries(index, written);
    const controller = new AbortController();
    const follow = queries.follow({}, { afterVersion: 0, pollMs: 60_000, signal: controller.signal });
    const first = nextWithin(follow, 2_000);
    await new Promise((r) => setTimeout(r, 50)); // the follow has read nothing and waits
    await index.record({ stored: [rawEvent('m1', 1)] });
    for (const listener of listeners) listener();
    expect(await first).toMatchObject({ messageId: 'm1', status: 'pending' });

    // without news the write waits for the poll: not seen within the same short time
    const second = nextWithin(follow, 300);
    await index.record({ stored: [rawEvent('m2', 2)] });
    expect(await second).toBe('none');

    controller.abort();
    for (const listener of listeners) listener();
    await follow.return(undefined);
    expect(listeners.size).toBe(0);
  });
});
