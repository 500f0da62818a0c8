import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNext, type ReadModels, type ReadModelsFactory } from './readModels.fixtures.ts';
import type { UserProfile } from './readModels.ts';

const signedUp = (userId: string, signedUpAt?: string): UserProfile => ({
  userId,
  firstSeenAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  eventCount: 1,
  lastEventType: 'UserSignedUp',
  ...(signedUpAt === undefined ? {} : { signedUpAt }),
});

/** The daily series of the read models (Grafana's sign-ups per day); every adapter runs it. */
export const describeReadModelSeriesContract = (name: string, factory: ReadModelsFactory): void => {
  describe(`ReadModelQueries series contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<ReadModelsFactory>> | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const storeOf = (): ReadModels => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture.store;
    };

    it('counts sign-ups per UTC day of event time, both ends included, only days with any, in date order', async () => {
      const store = storeOf();
      await applyNext(store, (w) => {
        w.putProfile(signedUp('before', '2026-02-28T23:59:59.999Z'));
        w.putProfile(signedUp('first-ms', '2026-03-01T00:00:00.000Z'));
        w.putProfile(signedUp('late', '2026-03-03T23:59:59.999Z'));
        w.putProfile(signedUp('early', '2026-03-03T00:00:01.000Z'));
        // +01:00: 00:30 local is 23:30 UTC the day before
        w.putProfile(signedUp('offset', '2026-03-02T00:30:00+01:00'));
        w.putProfile(signedUp('last-day', '2026-03-05T12:00:00.000Z'));
        w.putProfile(signedUp('after', '2026-03-06T00:00:00.000Z'));
        w.putProfile(signedUp('never'));
      });
      expect(await store.signupsByDay('2026-03-01', '2026-03-05')).toEqual([
        { date: '2026-03-01', count: 2 },
        { date: '2026-03-03', count: 2 },
        { date: '2026-03-05', count: 1 },
      ]);
      expect(await store.signupsByDay('2026-03-03', '2026-03-03')).toEqual([{ date: '2026-03-03', count: 2 }]);
      expect(await store.signupsByDay('2026-04-01', '2026-04-30')).toEqual([]);
    });

    it('counts a user once, on the day of the sign-up their profile holds now', async () => {
      const store = storeOf();
      await applyNext(store, (w) => w.putProfile(signedUp('ada', '2026-03-01T10:00:00.000Z')));
      await applyNext(store, (w) => w.putProfile(signedUp('ada', '2026-03-02T10:00:00.000Z')));
      expect(await store.signupsByDay('2026-03-01', '2026-03-31')).toEqual([{ date: '2026-03-02', count: 1 }]);
    });
  });
};
