import { describe, expect, it } from 'vitest';
import { stageSummaryAsOf } from '../../reports/stageSummaryAsOf.ts';
import { applyNext, type ReadModels } from './readModels.fixtures.ts';
import type { ReportedUser, StageSummary, UserProfile } from './readModels.ts';

const profile = (userId: string, extra: Partial<UserProfile> = {}): UserProfile => ({
  userId,
  firstSeenAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  eventCount: 1,
  lastEventType: 'PageViewed',
  ...extra,
});

const byUser = <T extends { userId: string }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));

const T = '2026-01-10T12:00:00.000Z';

export const describeReadModelQueriesContract = (storeOf: () => ReadModels): void => {
  describe('profiles', () => {
    it('stores profiles as given, omitted fields staying omitted, the last put winning', async () => {
      const store = storeOf();
      expect(await store.getProfile('u1')).toBeUndefined();
      const full = profile('u1', {
        email: 'ada@example.com',
        name: 'Ada',
        signedUpAt: '2026-01-01T09:00:00.000Z',
        lastActivityAt: '2026-01-02T09:00:00.000Z',
        eventCount: 7,
        lastEventType: 'DeploymentCompleted',
      });
      await applyNext(store, (w) => {
        w.putProfile(profile('u1'));
        w.putProfile(full);
        w.putProfile(profile('u2'));
      });
      expect(await store.getProfile('u1')).toStrictEqual(full);
      expect(await store.getProfile('u2')).toStrictEqual(profile('u2'));
    });

    it('shows the writer its own puts within a batch and earlier batches', async () => {
      const store = storeOf();
      await applyNext(store, (w) => {
        expect(w.getProfile('u1')).toBeUndefined();
        w.putProfile(profile('u1', { eventCount: 1 }));
        expect(w.getProfile('u1')?.eventCount).toBe(1);
        w.putProfile(profile('u1', { eventCount: 2 }));
        expect(w.getProfile('u1')?.eventCount).toBe(2);
      });
      await applyNext(store, (w) => {
        const seen = w.getProfile('u1');
        expect(seen?.eventCount).toBe(2);
        w.putProfile(profile('u1', { eventCount: (seen?.eventCount ?? 0) + 1 }));
      });
      expect((await store.getProfile('u1'))?.eventCount).toBe(3);
    });

    it('getProfiles returns the known ones among the ids asked for', async () => {
      const store = storeOf();
      await applyNext(store, (w) => {
        for (const id of ['u1', 'u2', 'u3']) w.putProfile(profile(id));
      });
      expect(byUser(await store.getProfiles(['u3', 'unknown', 'u1']))).toStrictEqual([profile('u1'), profile('u3')]);
      expect(await store.getProfiles([])).toEqual([]);
    });
  });

  describe('stage summaries and sign-ups', () => {
    const signUp = (userId: string, signedUpAt?: string): UserProfile =>
      profile(userId, signedUpAt === undefined ? {} : { signedUpAt });

    const seed = async (store: ReadModels): Promise<void> => {
      await applyNext(store, (w) => {
        w.putProfile(signUp('regular', '2026-01-01T09:00:00.000Z'));
        w.putProfile(signUp('quiet', '2026-01-03T00:00:00.000Z'));
        w.putProfile(signUp('yesterday', '2026-01-01T00:00:00.000Z'));
        w.putProfile(signUp('exact', T));
        w.putProfile(signUp('too-late', '2026-01-10T12:00:00.001Z'));
        w.putProfile(signUp('never-signed-up'));
        w.putProfile(signUp('only-later', '2026-01-01T00:00:00.000Z'));
        w.putProfile(signUp('today', '2026-01-01T00:00:00.000Z'));
        for (const at of ['2026-01-02T10:00:00.000Z', '2026-01-02T15:00:00.000Z', '2026-01-05T08:00:00.000Z']) {
          w.addActivity('regular', at);
        }
        // after T on T's own day, recorded before the earlier one of that day
        w.addActivity('regular', '2026-01-10T18:00:00.000Z');
        w.addActivity('yesterday', '2026-01-09T11:00:00.000Z');
        w.addActivity('yesterday', '2026-01-09T23:59:59.999Z');
        w.addActivity('exact', T);
        w.addActivity('too-late', '2026-01-10T13:00:00.000Z');
        w.addActivity('never-signed-up', '2026-01-05T00:00:00.000Z');
        w.addActivity('no-profile', '2026-01-05T00:00:00.000Z');
        w.addActivity('only-later', '2026-01-10T12:00:00.001Z');
        w.addActivity('only-later', '2026-01-11T00:00:00.000Z');
        w.addActivity('today', '2026-01-10T01:00:00.000Z');
      });
      await applyNext(store, (w) => {
        w.addActivity('regular', '2026-01-10T08:00:00.000Z');
        w.addActivity('regular', '2026-01-11T09:00:00.000Z');
        w.addActivity('regular', '2026-01-05T07:00:00.000Z');
        w.addActivity('today', '2026-01-10T02:00:00.000Z');
      });
    };

    it('summarises every user signed up at or before asOf, by activity at or before asOf', async () => {
      const store = storeOf();
      await seed(store);
      const summaries = new Map((await store.stageSummaries(T)).map((s) => [s.userId, s]));
      expect([...summaries.keys()].sort()).toEqual(['exact', 'only-later', 'quiet', 'regular', 'today', 'yesterday']);
      const expected: StageSummary[] = [
        // T's day counts through its 08:00 activity, the only one of that day up to T
        {
          userId: 'regular',
          signedUpAt: '2026-01-01T09:00:00.000Z',
          activeDays: 3,
          lastActivityAt: '2026-01-10T08:00:00.000Z',
        },
        { userId: 'quiet', signedUpAt: '2026-01-03T00:00:00.000Z', activeDays: 0, lastActivityAt: null },
        {
          userId: 'yesterday',
          signedUpAt: '2026-01-01T00:00:00.000Z',
          activeDays: 1,
          lastActivityAt: '2026-01-09T23:59:59.999Z',
        },
        { userId: 'exact', signedUpAt: T, activeDays: 1, lastActivityAt: T },
        { userId: 'only-later', signedUpAt: '2026-01-01T00:00:00.000Z', activeDays: 0, lastActivityAt: null },
      ];
      for (const summary of expected) expect(summaries.get(summary.userId)).toEqual(summary);
    });

    it('answers for one user exactly what it answers for all', async () => {
      const store = storeOf();
      await seed(store);
      for (const asOf of [T, '2026-01-02T23:59:59.999Z']) {
        for (const summary of await store.stageSummaries(asOf)) {
          expect(await store.stageSummary(summary.userId, asOf)).toEqual(summary);
        }
      }
      expect(await store.stageSummary('only-later', '2025-12-31T23:59:59.999Z')).toBeUndefined();
      expect(await store.stageSummary('nobody', T)).toBeUndefined();
    });

    it("on asOf's own day reports some activity of that day up to asOf", async () => {
      const store = storeOf();
      await seed(store);
      const today = (await store.stageSummaries(T)).find((s) => s.userId === 'today');
      expect(today?.activeDays).toBe(1);
      expect(['2026-01-10T01:00:00.000Z', '2026-01-10T02:00:00.000Z']).toContain(today?.lastActivityAt);
    });

    it('moves with asOf: an earlier instant sees fewer sign-ups and days', async () => {
      const store = storeOf();
      await seed(store);
      const summaries = await store.stageSummaries('2026-01-02T23:59:59.999Z');
      expect(byUser(summaries)).toEqual([
        { userId: 'only-later', signedUpAt: '2026-01-01T00:00:00.000Z', activeDays: 0, lastActivityAt: null },
        {
          userId: 'regular',
          signedUpAt: '2026-01-01T09:00:00.000Z',
          activeDays: 1,
          lastActivityAt: '2026-01-02T15:00:00.000Z',
        },
        { userId: 'today', signedUpAt: '2026-01-01T00:00:00.000Z', activeDays: 0, lastActivityAt: null },
        { userId: 'yesterday', signedUpAt: '2026-01-01T00:00:00.000Z', activeDays: 0, lastActivityAt: null },
      ]);
      expect(await store.stageSummaries('2025-12-31T23:59:59.999Z')).toEqual([]);
    });

    const allPages = async (store: ReadModels, asOf: string, pageSize?: number) => {
      const pages: (readonly ReportedUser[])[] = [];
      for await (const page of store.activityHistories(asOf, pageSize === undefined ? {} : { pageSize })) {
        pages.push(page);
      }
      return pages;
    };

    it('pages the activity histories newest sign-up first, ties by id, each user once whatever the page size', async () => {
      const store = storeOf();
      await seed(store);
      await applyNext(store, (w) => {
        w.putProfile(profile('quiet', { signedUpAt: '2026-01-03T00:00:00.000Z', email: 'q@example.com', name: 'Q' }));
      });
      const order = ['too-late', 'exact', 'quiet', 'regular', 'only-later', 'today', 'yesterday'];
      const whole = (await allPages(store, '2026-01-20T00:00:00.000Z')).flat();
      expect(whole.map((h) => h.userId)).toEqual(order);
      expect(whole.find((h) => h.userId === 'quiet')).toEqual({
        userId: 'quiet',
        signedUpAt: '2026-01-03T00:00:00.000Z',
        email: 'q@example.com',
        name: 'Q',
        days: [],
      });
      expect(whole.find((h) => h.userId === 'regular')?.days.map((d) => d.firstAt)).toEqual([
        '2026-01-02T10:00:00.000Z',
        '2026-01-05T07:00:00.000Z',
        '2026-01-10T08:00:00.000Z',
        '2026-01-11T09:00:00.000Z',
      ]);
      for (const pageSize of [1, 2, 3, 7]) {
        const pages = await allPages(store, '2026-01-20T00:00:00.000Z', pageSize);
        expect(pages.flat(), `pages of ${pageSize}`).toEqual(whole);
        expect(
          pages
            .map((p) => p.length)
            .slice(0, -1)
            .every((n) => n === pageSize),
        ).toBe(true);
      }
      // as of T: later sign-ups left out, days up to T only
      const atT = (await allPages(store, T, 2)).flat();
      expect(atT.map((h) => h.userId)).toEqual(order.slice(1));
      expect(atT.find((h) => h.userId === 'regular')?.days).toHaveLength(3);
      expect(await allPages(store, '2025-12-31T23:59:59.999Z')).toEqual([]);
      await expect(store.activityHistories(T, { pageSize: 0 })[Symbol.asyncIterator]().next()).rejects.toThrow(
        'pageSize=0 is not a whole number of at least 1',
      );
    });

    it('gives, from the activity histories read as of A, the stage summaries of every T up to A', async () => {
      const store = storeOf();
      await seed(store);
      const history = (await allPages(store, '2026-01-20T00:00:00.000Z', 3)).flat();
      const instants = [
        '2025-12-31T23:59:59.999Z',
        '2026-01-02T12:00:00.000Z',
        '2026-01-02T23:59:59.999Z',
        '2026-01-09T23:59:59.999Z',
        '2026-01-10T01:30:00.000Z',
        T,
        '2026-01-11T23:59:59.999Z',
      ];
      for (const asOf of instants) {
        const fromHistory = history.flatMap((h) => stageSummaryAsOf(h, asOf) ?? []);
        expect(byUser(fromHistory), asOf).toEqual(byUser(await store.stageSummaries(asOf)));
      }
    });

    it('lists the newest timeline events of the users asked for at or before asOf, newest first', async () => {
      const store = storeOf();
      const entry = (userId: string, type: string, occurredAt: string) => ({
        userId,
        eventId: `${userId}-${type}-${occurredAt}`,
        type,
        occurredAt,
        data: {},
        ruleId: 'r',
        sourceMessageIds: ['m'],
      });
      await applyNext(store, (w) => {
        w.addTimelineEntry(entry('ann', 'UserSignedUp', '2026-01-01T00:00:00.000Z'));
        w.addTimelineEntry(entry('ann', 'DeploymentStarted', '2026-01-03T00:00:00.000Z'));
        w.addTimelineEntry(entry('ann', 'ProjectCreated', '2026-01-02T00:00:00.000Z'));
        w.addTimelineEntry(entry('ann', 'PageViewed', '2026-01-05T00:00:00.000Z'));
        w.addTimelineEntry(entry('ben', 'PageViewed', '2026-01-06T00:00:00.000Z'));
        w.addTimelineEntry(entry('cy', 'UserSignedUp', '2026-01-01T00:00:00.000Z'));
      });
      expect(await store.latestEventsOf(['ann', 'ben', 'cy'], '2026-01-04T00:00:00.000Z', 2)).toEqual([
        {
          userId: 'ann',
          events: [
            { type: 'DeploymentStarted', occurredAt: '2026-01-03T00:00:00.000Z' },
            { type: 'ProjectCreated', occurredAt: '2026-01-02T00:00:00.000Z' },
          ],
        },
        { userId: 'cy', events: [{ type: 'UserSignedUp', occurredAt: '2026-01-01T00:00:00.000Z' }] },
      ]);
      expect(
        (await store.latestEventsOf(['cy', 'nobody', 'ann', 'ben'], '2026-02-01T00:00:00.000Z', 1)).map((l) => [
          l.userId,
          l.events[0]?.type,
        ]),
      ).toEqual([
        ['cy', 'UserSignedUp'],
        ['ann', 'PageViewed'],
        ['ben', 'PageViewed'],
      ]);
      expect(await store.latestEventsOf([], '2026-02-01T00:00:00.000Z', 1)).toEqual([]);
    });

    it('counts sign-ups in (after, until]', async () => {
      const store = storeOf();
      await applyNext(store, (w) => {
        w.putProfile(signUp('a', '2026-01-01T00:00:00.000Z'));
        w.putProfile(signUp('b', '2026-01-01T12:00:00.000Z'));
        w.putProfile(signUp('c', '2026-01-02T00:00:00.000Z'));
        w.putProfile(signUp('d'));
      });
      expect(await store.countSignups('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z')).toBe(2);
      expect(await store.countSignups('2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z')).toBe(1);
      expect(await store.countSignups('2026-01-02T00:00:00.000Z', '2026-02-01T00:00:00.000Z')).toBe(0);
      expect(await store.countSignups('2025-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')).toBe(3);
    });
  });

  describe('user search', () => {
    const seed = async (store: ReadModels): Promise<void> => {
      await applyNext(store, (w) => {
        w.putProfile(profile('ada', { email: 'ada@example.com' }));
        w.putProfile(profile('adam', { email: 'Zed@Example.com', name: 'Adam' }));
        w.putProfile(profile('u-1', { email: 'ADAline@example.com' }));
        w.putProfile(profile('u-2'));
        w.putProfile(profile('Adele', { email: 'adele@example.com' }));
        w.putProfile(profile('ad%_', { email: 'percent@example.com' }));
        w.putProfile(profile('bob', { email: 'bob@ada.example' }));
      });
      // a later batch updates a profile: search sees the current email only
      await applyNext(store, (w) => w.putProfile(profile('u-2', { email: 'ada.two@example.com' })));
    };
    const ids = (found: readonly UserProfile[]) => found.map((p) => p.userId);

    it('finds users by id prefix, case-sensitive, in id order, then by email prefix, ASCII case ignored, in email order', async () => {
      const store = storeOf();
      await seed(store);
      // ada matches by id and by email: listed once, with the id matches
      expect(ids(await store.searchUsers('ad', 10))).toEqual(['ad%_', 'ada', 'adam', 'u-2', 'u-1', 'Adele']);
      expect(ids(await store.searchUsers('ADA', 10))).toEqual(['u-2', 'ada', 'u-1']);
      expect(ids(await store.searchUsers('Ad', 10))).toEqual(['Adele', 'u-2', 'ada', 'u-1']);
      expect(ids(await store.searchUsers('zed@', 10))).toEqual(['adam']);
      expect(ids(await store.searchUsers('u-', 10))).toEqual(['u-1', 'u-2']);
      expect(await store.searchUsers('ad', 10)).toContainEqual(
        profile('adam', { email: 'Zed@Example.com', name: 'Adam' }),
      );
    });

    it('matches a prefix only, treats % and _ as themselves, and finds nothing for an unknown prefix', async () => {
      const store = storeOf();
      await seed(store);
      expect(ids(await store.searchUsers('example', 10))).toEqual([]);
      expect(ids(await store.searchUsers('ad%', 10))).toEqual(['ad%_']);
      expect(ids(await store.searchUsers('a_a', 10))).toEqual([]);
      expect(ids(await store.searchUsers('bob@ada', 10))).toEqual(['bob']);
      expect(await store.searchUsers('nobody', 10)).toEqual([]);
    });

    it('returns at most limit users, id matches first', async () => {
      const store = storeOf();
      await seed(store);
      expect(ids(await store.searchUsers('ad', 2))).toEqual(['ad%_', 'ada']);
      expect(ids(await store.searchUsers('ad', 4))).toEqual(['ad%_', 'ada', 'adam', 'u-2']);
      expect(ids(await store.searchUsers('Ad', 2))).toEqual(['Adele', 'u-2']);
      expect(ids(await store.searchUsers('a', 1))).toEqual(['ad%_']);
    });
  });
};
