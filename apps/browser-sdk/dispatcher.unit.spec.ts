import { describe, expect, it } from 'vitest';
import { FakeScheduler, FakeTransport } from '../../testing/browser/fakeEnvironment.ts';
import { Dispatcher } from './dispatcher.ts';
import { EventQueue } from './eventQueue.ts';
import { memoryStorage } from './storage.ts';

const options = { writeKey: 'wk_1', flushAt: 3, flushIntervalMs: 1000, retryBaseMs: 500, retryMaxMs: 4000 };

const setup = (storage = memoryStorage(), max = 100) => {
  const scheduler = new FakeScheduler();
  const transport = new FakeTransport();
  const queue = new EventQueue(storage, 'q', max);
  const dispatcher = new Dispatcher(queue, transport, scheduler, options);
  return { scheduler, transport, queue, dispatcher, storage };
};

const event = (n: number) => ({ type: 'track', event: `E${n}`, messageId: `m${n}` });
const ids = (t: FakeTransport) => t.sent.map((b) => b.batch.map((e) => e.messageId));

describe('batching', () => {
  it('sends as soon as flushAt events wait', async () => {
    const { transport, dispatcher } = setup();
    for (const n of [1, 2, 3]) dispatcher.enqueue(event(n));
    await Promise.resolve();
    expect(ids(transport)).toEqual([['m1', 'm2', 'm3']]);
    expect(transport.sent[0]).toMatchObject({ writeKey: 'wk_1', sentAt: '2026-03-01T12:00:00.000Z' });
  });

  it('sends a partial batch flushIntervalMs after the first event, not before', async () => {
    const { scheduler, transport, dispatcher, queue } = setup();
    dispatcher.enqueue(event(1));
    await scheduler.advance(600);
    dispatcher.enqueue(event(2));
    await scheduler.advance(399);
    expect(transport.sent).toHaveLength(0);
    await scheduler.advance(1);
    expect(ids(transport)).toEqual([['m1', 'm2']]);
    expect(queue.size()).toBe(0);
  });
});

describe('retries', () => {
  it('backs off exponentially up to the cap while the collector is down, then delivers everything once', async () => {
    const { scheduler, transport, dispatcher, queue } = setup();
    transport.outcomes.push('retry', 'retry', 'retry', 'retry', 'retry');
    dispatcher.enqueue(event(1));
    await scheduler.advance(1000);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(scheduler.pending()[0] ?? -1);
      await scheduler.advance(scheduler.pending()[0] ?? 0);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(transport.sent).toHaveLength(6);
    expect(queue.size()).toBe(0);
    expect(ids(transport).at(-1)).toEqual(['m1']);
  });

  it('does not send more while backing off, however many events arrive', async () => {
    const { scheduler, transport, dispatcher } = setup();
    transport.outcomes.push('retry');
    for (const n of [1, 2, 3]) dispatcher.enqueue(event(n));
    await Promise.resolve();
    for (const n of [4, 5, 6, 7]) dispatcher.enqueue(event(n));
    expect(transport.sent).toHaveLength(1);
    await scheduler.advance(500);
    expect(ids(transport).slice(1)).toEqual([['m1', 'm2', 'm3'], ['m4', 'm5', 'm6'], ['m7']]);
  });

  it('drops a batch the collector will never take, so it cannot block the queue', async () => {
    const { transport, dispatcher, queue } = setup();
    transport.outcomes.push('drop');
    for (const n of [1, 2, 3]) dispatcher.enqueue(event(n));
    await Promise.resolve();
    expect(queue.size()).toBe(0);
  });

  it('stamps each attempt with its own sentAt, so skew correction uses the real send time', async () => {
    const { scheduler, transport, dispatcher } = setup();
    transport.outcomes.push('retry');
    dispatcher.enqueue(event(1));
    await scheduler.advance(1000);
    await scheduler.advance(500);
    expect(transport.sent.map((b) => b.sentAt)).toEqual(['2026-03-01T12:00:01.000Z', '2026-03-01T12:00:01.500Z']);
  });
});

describe('the persisted queue', () => {
  it('survives a reload: a new dispatcher on the same storage sends what the last one could not', async () => {
    const first = setup();
    first.transport.outcomes.push('retry');
    first.dispatcher.enqueue(event(1));
    first.dispatcher.enqueue(event(2));
    await first.scheduler.advance(1000);
    const second = setup(first.storage);
    second.dispatcher.resume();
    await second.scheduler.advance(0);
    expect(ids(second.transport)).toEqual([['m1', 'm2']]);
    expect(second.queue.size()).toBe(0);
  });

  it('keeps the newest events when full', () => {
    const { queue } = setup(memoryStorage(), 3);
    for (const n of [1, 2, 3, 4, 5]) queue.add(event(n));
    expect(queue.head(10).map((e) => e.messageId)).toEqual(['m3', 'm4', 'm5']);
  });

  it('beacons everything on unload but keeps it queued until acknowledged, and beacons each event once', () => {
    const { transport, dispatcher, queue } = setup();
    transport.outcomes.push('retry');
    for (const n of [1, 2, 3, 4]) dispatcher.enqueue(event(n));
    dispatcher.unload();
    dispatcher.unload();
    expect(transport.beacons.map((b) => b.batch.map((e) => e.messageId))).toEqual([['m1', 'm2', 'm3'], ['m4']]);
    expect(transport.beacons[0]?.writeKey).toBe('wk_1');
    expect(queue.size()).toBe(4);
  });
});
