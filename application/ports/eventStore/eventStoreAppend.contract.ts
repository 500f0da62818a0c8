import { describe, expect, it } from 'vitest';
import { isExpectedRevisionConflictError } from '../../../domain/errors/journeyError.ts';
import { eventData, type StoreOf, someEvents } from './eventStore.fixtures.ts';
import { ANY, type EventStore, NO_STREAM, STREAM_EXISTS } from './eventStore.ts';

const failureOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the append to fail, but it succeeded');
};

const expectConflict = async (promise: Promise<unknown>): Promise<void> => {
  const error = await failureOf(promise);
  expect(error, String(error)).toSatisfy(isExpectedRevisionConflictError);
};

const idsOf = async (store: EventStore, streamId: string): Promise<string[]> =>
  (await store.readStream(streamId)).map((e) => e.id);

export const describeAppendContract = (storeOf: StoreOf): void => {
  describe('append', () => {
    it('numbers a new stream from revision 0n and reports the last revision written', async () => {
      const store = storeOf();
      const first = await store.append('s-1', [eventData()], { expectedRevision: NO_STREAM });
      expect(first.nextExpectedRevision).toBe(0n);
      const more = await store.append('s-1', someEvents(3), { expectedRevision: 0n });
      expect(more.nextExpectedRevision).toBe(3n);
      expect((await store.readStream('s-1')).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
    });

    it('defaults to ANY and keeps streams apart', async () => {
      const store = storeOf();
      expect((await store.append('a', someEvents(2))).nextExpectedRevision).toBe(1n);
      expect((await store.append('b', someEvents(1))).nextExpectedRevision).toBe(0n);
      expect((await store.append('a', someEvents(1))).nextExpectedRevision).toBe(2n);
    });

    it('reports the position of the last event written, as readAll shows it', async () => {
      const store = storeOf();
      const result = await store.append('s', someEvents(3));
      const all = await store.readAll();
      expect(all.at(-1)?.position).toEqual(result.position);
    });

    it('NO_STREAM succeeds on a missing stream and conflicts on an existing one', async () => {
      const store = storeOf();
      await store.append('s', [eventData()], { expectedRevision: NO_STREAM });
      await expectConflict(store.append('s', [eventData()], { expectedRevision: NO_STREAM }));
      expect(await store.readStream('s')).toHaveLength(1);
    });

    it('STREAM_EXISTS conflicts on a missing stream and succeeds on an existing one', async () => {
      const store = storeOf();
      await expectConflict(store.append('s', [eventData()], { expectedRevision: STREAM_EXISTS }));
      expect(await store.readStream('s')).toEqual([]);
      await store.append('s', [eventData()]);
      const result = await store.append('s', [eventData()], { expectedRevision: STREAM_EXISTS });
      expect(result.nextExpectedRevision).toBe(1n);
    });

    it('ANY succeeds on missing and existing streams', async () => {
      const store = storeOf();
      expect((await store.append('s', [eventData()], { expectedRevision: ANY })).nextExpectedRevision).toBe(0n);
      expect((await store.append('s', [eventData()], { expectedRevision: ANY })).nextExpectedRevision).toBe(1n);
    });

    it('an exact revision succeeds only when it is the last revision of the stream', async () => {
      const store = storeOf();
      await expectConflict(store.append('s', [eventData()], { expectedRevision: 0n }));
      await store.append('s', someEvents(2));
      await expectConflict(store.append('s', [eventData()], { expectedRevision: 0n }));
      await expectConflict(store.append('s', [eventData()], { expectedRevision: 2n }));
      expect((await store.append('s', [eventData()], { expectedRevision: 1n })).nextExpectedRevision).toBe(2n);
      expect(await store.readStream('s')).toHaveLength(3);
    });

    it('a conflict names the stream and writes nothing', async () => {
      const store = storeOf();
      await store.append('s', someEvents(1));
      const error = await failureOf(store.append('s', someEvents(5), { expectedRevision: 7n }));
      expect(error).toSatisfy(isExpectedRevisionConflictError);
      expect(String((error as Error).message)).toContain('s');
      expect(await store.readAll()).toHaveLength(1);
    });

    it('is idempotent with ANY: the same ids again are stored once, with the same result', async () => {
      const store = storeOf();
      const batch = someEvents(3);
      const first = await store.append('s', batch, { expectedRevision: ANY });
      const again = await store.append('s', batch, { expectedRevision: ANY });
      expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
      expect(await idsOf(store, 's')).toEqual(batch.map((e) => e.id));
      expect(await store.readAll()).toHaveLength(3);
    });

    it('is idempotent with the original expected revision, even after the stream moved on', async () => {
      const store = storeOf();
      const opening = someEvents(2);
      const next = someEvents(2);
      const first = await store.append('s', opening, { expectedRevision: NO_STREAM });
      const second = await store.append('s', next, { expectedRevision: 1n });
      expect((await store.append('s', opening, { expectedRevision: NO_STREAM })).nextExpectedRevision).toBe(
        first.nextExpectedRevision,
      );
      expect((await store.append('s', next, { expectedRevision: 1n })).nextExpectedRevision).toBe(
        second.nextExpectedRevision,
      );
      await store.append('s', someEvents(1));
      expect((await store.append('s', next, { expectedRevision: ANY })).nextExpectedRevision).toBe(3n);
      expect(await store.readStream('s')).toHaveLength(5);
    });

    it('with ANY, events already in the stream are skipped and the new ones appended', async () => {
      const store = storeOf();
      const copied = someEvents(2);
      await store.append('s', copied);
      const later = eventData();
      const result = await store.append('s', [...copied, later], { expectedRevision: ANY });
      expect(result.nextExpectedRevision).toBe(2n);
      expect(await idsOf(store, 's')).toEqual([...copied, later].map((e) => e.id));
    });

    it('keeps an event once when it comes again 5,000 events later, alone or among new ones', async () => {
      const store = storeOf();
      const old = eventData();
      await store.append('heavy', [old], { expectedRevision: NO_STREAM });
      for (let i = 0; i < 10; i++) await store.append('heavy', someEvents(500), { expectedRevision: ANY });
      // a late redelivery, a re-mapping or a dead-letter replay of the stream's first event
      expect((await store.append('heavy', [old], { expectedRevision: ANY })).nextExpectedRevision).toBe(0n);
      const fresh = someEvents(2);
      const mixed = await store.append('heavy', [fresh[0], old, fresh[1]] as typeof fresh, { expectedRevision: ANY });
      expect(mixed.nextExpectedRevision).toBe(5_002n);
      const ids = await idsOf(store, 'heavy');
      expect(ids).toHaveLength(5_003);
      expect(ids.filter((id) => id === old.id)).toHaveLength(1);
      expect(ids.slice(-2)).toEqual(fresh.map((e) => e.id));
    });

    it('lets exactly one of two racing appends with the same expected revision win', async () => {
      const store = storeOf();
      await store.append('s', [eventData()]);
      const results = await Promise.allSettled([
        store.append('s', [eventData()], { expectedRevision: 0n }),
        store.append('s', [eventData()], { expectedRevision: 0n }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.status === 'rejected' && isExpectedRevisionConflictError(rejected.reason)).toBe(true);
      expect(await store.readStream('s')).toHaveLength(2);
    });

    it('fails only the conflicting append among many concurrent ones', async () => {
      const store = storeOf();
      await store.append('taken', [eventData()]);
      const streams = Array.from({ length: 40 }, (_, i) => `user-${i}`);
      const results = await Promise.allSettled([
        ...streams.map((s) => store.append(s, someEvents(2), { expectedRevision: NO_STREAM })),
        store.append('taken', [eventData()], { expectedRevision: NO_STREAM }),
      ]);
      expect(results.slice(0, -1).every((r) => r.status === 'fulfilled' && r.value.nextExpectedRevision === 1n)).toBe(
        true,
      );
      const last = results.at(-1);
      expect(last?.status === 'rejected' && isExpectedRevisionConflictError(last.reason)).toBe(true);
      for (const s of streams) expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0n, 1n]);
      expect(await store.readStream('taken')).toHaveLength(1);
    });

    it('keeps type, data and metadata as given', async () => {
      const store = storeOf();
      const data = { text: 'é😀 "quoted"', n: 1.5, nested: { list: [1, null, true] }, empty: {} };
      const metadata = { occurredAt: '2026-01-31T12:00:00.000Z', sourceMessageIds: ['m-1', 'm-2'], ruleId: 'r' };
      const id = eventData().id;
      await store.append('s', [{ id, type: 'DeploymentStarted', data, metadata }]);
      const [read] = await store.readStream('s');
      expect(read).toMatchObject({ id, type: 'DeploymentStarted', data, metadata, streamId: 's', revision: 0n });
      expect(new Date(read?.recordedAt ?? '').toISOString()).toBe(read?.recordedAt);
    });
  });
};
