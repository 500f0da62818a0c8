import { describe, expect, it } from 'vitest';
import { eventData, type StoreOf, someEvents } from './eventStore.fixtures.ts';
import { comparePositions, type RecordedEvent } from './eventStore.ts';

const revisions = (events: readonly RecordedEvent[]): bigint[] => events.map((e) => e.revision);

export const expectStrictlyIncreasing = (events: readonly RecordedEvent[]): void => {
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1], events[i]];
    if (a && b) expect(comparePositions(a.position, b.position), `position ${i} after ${i - 1}`).toBe(-1);
  }
};

export const describeReadContract = (storeOf: StoreOf): void => {
  describe('readStream', () => {
    it('yields [] for a stream that does not exist, in either direction', async () => {
      const store = storeOf();
      await store.append('other', someEvents(1));
      expect(await store.readStream('missing')).toEqual([]);
      expect(await store.readStream('missing', { direction: 'backwards' })).toEqual([]);
    });

    it('reads forwards by default, from an inclusive revision, up to maxCount', async () => {
      const store = storeOf();
      const batch = someEvents(5);
      await store.append('s', batch);
      await store.append('other', someEvents(2));
      const all = await store.readStream('s');
      expect(all.map((e) => e.id)).toEqual(batch.map((e) => e.id));
      expect(all.every((e) => e.streamId === 's')).toBe(true);
      expect(revisions(await store.readStream('s', { fromRevision: 2n }))).toEqual([2n, 3n, 4n]);
      expect(revisions(await store.readStream('s', { maxCount: 2 }))).toEqual([0n, 1n]);
      expect(revisions(await store.readStream('s', { fromRevision: 1n, maxCount: 2 }))).toEqual([1n, 2n]);
      expect(await store.readStream('s', { fromRevision: 5n })).toEqual([]);
    });

    it('reads backwards from the end or from an inclusive revision, up to maxCount', async () => {
      const store = storeOf();
      await store.append('s', someEvents(5));
      expect(revisions(await store.readStream('s', { direction: 'backwards' }))).toEqual([4n, 3n, 2n, 1n, 0n]);
      expect(revisions(await store.readStream('s', { direction: 'backwards', maxCount: 1 }))).toEqual([4n]);
      expect(revisions(await store.readStream('s', { direction: 'backwards', fromRevision: 2n }))).toEqual([
        2n,
        1n,
        0n,
      ]);
      expect(revisions(await store.readStream('s', { direction: 'backwards', fromRevision: 3n, maxCount: 2 }))).toEqual(
        [3n, 2n],
      );
    });
  });

  describe('readAll', () => {
    it('yields [] from an empty store', async () => {
      expect(await storeOf().readAll()).toEqual([]);
    });

    it('yields every event in append order with strictly increasing positions', async () => {
      const store = storeOf();
      const appended = [eventData(), eventData(), eventData(), eventData()];
      await store.append('journey-a', appended.slice(0, 2));
      await store.append('identity-x', appended.slice(2, 3));
      await store.append('journey-a', appended.slice(3));
      const all = await store.readAll();
      expect(all.map((e) => e.id)).toEqual(appended.map((e) => e.id));
      expect(all.map((e) => `${e.streamId}@${e.revision}`)).toEqual([
        'journey-a@0',
        'journey-a@1',
        'identity-x@0',
        'journey-a@2',
      ]);
      expectStrictlyIncreasing(all);
    });

    it('treats fromPosition as exclusive and honours maxCount', async () => {
      const store = storeOf();
      await store.append('s', someEvents(6));
      const all = await store.readAll();
      const third = all[2];
      if (!third) throw new Error('expected 6 events');
      expect((await store.readAll({ fromPosition: third.position })).map((e) => e.id)).toEqual(
        all.slice(3).map((e) => e.id),
      );
      expect((await store.readAll({ maxCount: 2 })).map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
      expect((await store.readAll({ fromPosition: third.position, maxCount: 2 })).map((e) => e.id)).toEqual(
        all.slice(3, 5).map((e) => e.id),
      );
      const last = all.at(-1);
      expect(last && (await store.readAll({ fromPosition: last.position }))).toEqual([]);
    });

    it('filters by stream prefix, with fromPosition and maxCount counting matches only', async () => {
      const store = storeOf();
      for (let i = 0; i < 4; i++) {
        await store.append(`journey-${i}`, someEvents(1));
        await store.append(`identity-${i}`, someEvents(2));
        await store.append(`journeyman-${i}`, someEvents(1));
      }
      const journeys = await store.readAll({ streamPrefix: 'journey-' });
      expect(journeys.map((e) => e.streamId)).toEqual(['journey-0', 'journey-1', 'journey-2', 'journey-3']);
      expectStrictlyIncreasing(journeys);
      const first = journeys[0];
      if (!first) throw new Error('expected journeys');
      const after = await store.readAll({ streamPrefix: 'journey-', fromPosition: first.position, maxCount: 2 });
      expect(after.map((e) => e.streamId)).toEqual(['journey-1', 'journey-2']);
      expect(await store.readAll({ streamPrefix: 'nothing-' })).toEqual([]);
    });
  });

  describe('headPosition', () => {
    it('is null for an empty store and for a prefix nothing matches', async () => {
      const store = storeOf();
      expect(await store.headPosition()).toBeNull();
      await store.append('identity-1', someEvents(1));
      expect(await store.headPosition({ streamPrefix: 'journey-' })).toBeNull();
    });

    it('is the position of the newest event, or of the newest matching the prefix', async () => {
      const store = storeOf();
      const journey = await store.append('journey-1', someEvents(2));
      const identity = await store.append('identity-1', someEvents(1));
      expect(await store.headPosition()).toEqual(identity.position);
      expect(await store.headPosition({ streamPrefix: 'journey-' })).toEqual(journey.position);
      const all = await store.readAll();
      expect(await store.headPosition()).toEqual(all.at(-1)?.position);
    });
  });
};
