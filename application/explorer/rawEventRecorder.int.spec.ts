import { describe, expect, it } from 'vitest';
import { compileRules } from '../../domain/mapping/compileRules.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import { type IngestedEvent, rawEventSchema } from '../../domain/raw/rawEvent.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { MemoryRawEventIndex } from '../../testing/memory/memoryRawEventIndex.ts';
import { MemoryRawLog } from '../../testing/memory/memoryRawLog.ts';
import { MapRawEvents } from '../mapping/mapRawEvents.ts';
import { pruneRawEvents } from './pruneRawEvents.ts';
import { RawEventRecorder } from './rawEventRecorder.ts';

const raw = (messageId: string, event: Record<string, unknown>, at = '2026-03-01T10:00:00.000Z'): IngestedEvent => ({
  ...rawEventSchema.parse(event),
  messageId,
  receivedAt: at,
  timestamp: at,
});

const setUp = (options: { flushAt?: number; maxBuffered?: number } = {}) => {
  const store = new MemoryEventStore();
  const index = new MemoryRawEventIndex();
  const recorder = new RawEventRecorder(index, { flushMs: 5, ...options });
  const mapper = new MapRawEvents(
    store,
    new MemoryRawLog(),
    compileRules(defaultRules, 'default rules'),
    recorder.recordMapped,
  );
  const deliver = (...events: IngestedEvent[]) => mapper.handle({ events, deliveryCount: 1 });
  const shown = async (filter = {}) =>
    (await index.query(filter, { limit: 50 })).events.map((e) => [
      e.messageId,
      e.status,
      e.journeyEvents.map((j) => j.rule),
    ]);
  return { store, index, recorder, deliver, shown };
};

describe('the raw-event recorder behind the mapper', () => {
  it('indexes what each raw event became: journey events with their rule and id, no rule, or the reject reason', async () => {
    const { store, index, recorder, deliver, shown } = setUp();
    const signUp = raw('s1', { type: 'track', userId: 'u1', event: 'Signed Up', properties: { email: 'a@b.test' } });
    await recorder.recordStored([signUp]);
    expect(await shown()).toEqual([['s1', 'pending', []]]);
    await deliver(
      signUp,
      raw('c1', { type: 'track', userId: 'u1', event: 'Button Clicked' }),
      raw('bad', { type: 'track', userId: 'u1', event: 'Signed Up', properties: { email: 'x'.repeat(5000) } }),
    );
    await recorder.flush();
    expect((await shown()).sort()).toEqual([
      ['bad', 'rejected', []],
      ['c1', 'unmapped', []],
      ['s1', 'mapped', ['track-signed-up']],
    ]);
    const [stored] = await store.readStream('journey-u1');
    const mapped = (await index.query({ status: 'mapped' }, { limit: 1 })).events[0];
    expect(mapped?.journeyEvents).toEqual([{ id: stored?.id, type: 'UserSignedUp', rule: 'track-signed-up' }]);
    const rejected = (await index.query({ status: 'rejected' }, { limit: 1 })).events[0];
    expect(rejected?.reason).toMatch(/rule track-signed-up produced invalid UserSignedUp data: field email/);
  });

  it("finds an anonymous visitor's events by the user id an identify links them to", async () => {
    const { recorder, deliver, shown } = setUp();
    await deliver(raw('p1', { type: 'page', anonymousId: 'a1' }));
    await recorder.flush();
    expect(await shown({ userId: 'u1' })).toEqual([]);
    await deliver(raw('i1', { type: 'identify', userId: 'u1', anonymousId: 'a1' }, '2026-03-01T10:00:01.000Z'));
    await deliver(raw('p2', { type: 'page', anonymousId: 'a1' }, '2026-03-01T10:00:02.000Z'));
    await recorder.flush();
    expect((await shown({ userId: 'u1' })).map(([id]) => id)).toEqual(['p2', 'i1', 'p1']);
  });

  it('writes a full buffer at once, and drops outcomes beyond its bound instead of growing', async () => {
    const { index, recorder, deliver } = setUp({ flushAt: 2, maxBuffered: 3 });
    await deliver(
      raw('c1', { type: 'track', userId: 'u1', event: 'A' }),
      raw('c2', { type: 'track', userId: 'u1', event: 'B' }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(await index.headVersion()).toBe(2);
    recorder.recordMapped(
      ['x1', 'x2', 'x3', 'x4'].map((id) => ({
        event: raw(id, { type: 'track', userId: 'u', event: 'E' }),
        status: 'unmapped',
        journeyEvents: [],
      })),
      [],
    );
    await recorder.flush();
    expect(await index.headVersion()).toBe(2);
  });

  it('prunes what is older than the retention, in batches', async () => {
    const { index, recorder } = setUp();
    await recorder.recordStored(
      Array.from({ length: 7 }, (_, i) =>
        raw(`m${i}`, { type: 'track', userId: 'u', event: 'E' }, `2026-03-0${i + 1}T00:00:00.000Z`),
      ),
    );
    expect(await pruneRawEvents(index, Date.parse('2026-03-08T00:00:00.000Z'), 3, 2)).toBe(4);
    expect((await index.query({}, { limit: 10 })).events.map((e) => e.messageId)).toEqual(['m6', 'm5', 'm4']);
  });
});
