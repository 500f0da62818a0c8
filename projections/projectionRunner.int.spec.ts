import { describe, expect, it, vi } from 'vitest';
import { ANY, type EventData } from '../application/ports/eventStore/eventStore.ts';
import { MemoryEventStore } from '../testing/memory/memoryEventStore.ts';
import { MemoryReadModels } from '../testing/memory/memoryReadModels.ts';
import { ProjectionRunner } from './projectionRunner.ts';
import { DEFAULT_MEANINGFUL_EVENTS, usersProjection } from './users/usersProjection.ts';

const page = (i: number): EventData => ({
  id: `00000000-0000-8000-8000-${String(i).padStart(12, '0')}`,
  type: 'PageViewed',
  data: {},
  metadata: {
    occurredAt: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString(),
    sourceMessageIds: [`m${i}`],
    ruleId: 't',
  },
});

const setUp = async (events: number) => {
  const store = new MemoryEventStore();
  for (let i = 0; i < events; i++) await store.append(`journey-u${i % 7}`, [page(i)], { expectedRevision: ANY });
  await store.append('identity-a1', [{ id: 'link', type: 'AnonymousIdLinked', data: {} }], { expectedRevision: ANY });
  const readModels = new MemoryReadModels();
  const runner = () =>
    new ProjectionRunner(store, readModels, usersProjection(new Set(DEFAULT_MEANINGFUL_EVENTS)), { batchSize: 10 });
  const projectedCount = async () => {
    let total = 0;
    for (let u = 0; u < 7; u++) total += (await readModels.getProfile(`u${u}`))?.eventCount ?? 0;
    return total;
  };
  return { store, readModels, runner, projectedCount };
};

describe('projection runner', () => {
  it('catches up from its checkpoint, applying each journey event once', async () => {
    const { runner, projectedCount, store } = await setUp(95);
    expect(await runner().catchUp()).toBe(95);
    expect(await runner().catchUp()).toBe(0);
    await store.append('journey-u1', [page(1000)], { expectedRevision: ANY });
    expect(await runner().catchUp()).toBe(1);
    expect(await projectedCount()).toBe(96);
  });

  it('never applies an event twice when two runners race over the same checkpoint', async () => {
    const { runner, projectedCount } = await setUp(200);
    const [a, b] = await Promise.all([runner().catchUp(), runner().catchUp()]);
    expect(a + b).toBe(200);
    expect(await projectedCount()).toBe(200);
  });

  it('follows new events live, and waitFor resolves once they are applied', async () => {
    const { runner, store, projectedCount } = await setUp(3);
    const live = runner();
    live.start();
    const { position } = await store.append('journey-u2', [page(500)], { expectedRevision: ANY });
    await live.waitFor(position);
    expect(await projectedCount()).toBe(4);
    await live.stop();
  });

  it('resolves waitFor at once for a position its stored checkpoint already covers', async () => {
    const { runner, store } = await setUp(5);
    expect(await runner().catchUp()).toBe(5);
    const head = await store.headPosition({ streamPrefix: 'journey-' });
    if (!head) throw new Error('the store is empty');
    const restarted = runner();
    const reached = restarted.waitFor(head); // asked before the runner has read its checkpoint
    restarted.start();
    await reached;
    await restarted.stop();
  });

  it('applies the backlog of a projection that starts from nothing as a bulk load, and ends it once caught up, before its waiters hear of it', async () => {
    const { store, readModels } = await setUp(25);
    const calls: string[] = [];
    const bulkStore = Object.assign(Object.create(readModels) as MemoryReadModels, {
      beginBulkLoad: async () => {
        calls.push('begin');
        return true;
      },
      endBulkLoad: async () => {
        calls.push(`end after ${(await readModels.getProfile('u0'))?.eventCount} events of u0`);
      },
    });
    const projection = usersProjection(new Set(DEFAULT_MEANINGFUL_EVENTS));
    const live = new ProjectionRunner(store, bulkStore, projection, { batchSize: 10 });
    const head = await store.headPosition({ streamPrefix: 'journey-' });
    if (!head) throw new Error('the store is empty');
    live.start();
    await live.waitFor(head);
    // ended (and so committed) by the runner once it found nothing more to read, not by
    // stop(), and before it told its waiters
    expect(calls).toEqual(['begin', 'end after 4 events of u0']);
    const { position } = await store.append('journey-u0', [page(900)], { expectedRevision: ANY });
    await live.waitFor(position);
    await live.stop();
    expect(calls).toHaveLength(2);
    // a runner that finds a checkpoint applies batch by batch
    calls.length = 0;
    expect(await new ProjectionRunner(store, bulkStore, projection).catchUp()).toBe(0);
    expect(calls).toEqual([]);
  });

  it('ends its bulk load once caught up while live events keep arriving, and follows them live from there', async () => {
    const { store, readModels } = await setUp(2000);
    let ended = false;
    const bulkStore = Object.assign(Object.create(readModels) as MemoryReadModels, {
      beginBulkLoad: async () => true,
      endBulkLoad: async () => {
        ended = true;
      },
    });
    // an event arrives between any two reads, as under traffic (appends that resolve in the
    // same turn of the event loop as the runner's reads)
    let arrivals = 0;
    const arriving = Object.assign(Object.create(store) as MemoryEventStore, {
      readAll: async (options: Parameters<MemoryEventStore['readAll']>[0]) => {
        const batch = await store.readAll(options);
        if (!ended && arrivals < 3000) {
          arrivals++;
          await store.append('journey-u3', [page(10_000 + arrivals)], { expectedRevision: ANY });
        }
        return batch;
      },
      subscribeAll: store.subscribeAll.bind(store),
    });
    const live = new ProjectionRunner(arriving, bulkStore, usersProjection(new Set(DEFAULT_MEANINGFUL_EVENTS)), {
      batchSize: 100,
    });
    try {
      live.start();
      await vi.waitFor(() => expect(ended).toBe(true));
      // caught up with the 2,000 events and what arrived meanwhile, not polling for as long as events arrive
      expect(arrivals).toBeLessThan(100);
      const { position } = await store.append('journey-u0', [page(20_000)], { expectedRevision: ANY });
      await live.waitFor(position);
    } finally {
      await live.stop();
    }
  });
});
