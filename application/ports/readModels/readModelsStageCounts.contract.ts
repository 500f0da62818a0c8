import { describe, expect, it } from 'vitest';
import { funnelOf } from '../../../domain/stage/funnel.ts';
import { DAY_MS } from '../../../domain/stage/stage.ts';
import { DEFAULT_WINDOW_DAYS } from '../../../domain/stage/stageChanges.ts';
import { applyNext, type ReadModels } from './readModels.fixtures.ts';
import type { ReadModelQueries, ReadModelWriter, UserProfile } from './readModels.ts';

const W = DEFAULT_WINDOW_DAYS;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** what the funnel counted before stage deltas existed: funnelOf over every user's summary */
export const perUserStageCounts = async (store: ReadModelQueries, asOf: string, windowDays = W) => {
  const summaries = await store.stageSummaries(asOf);
  const t = Date.parse(asOf);
  return funnelOf(
    summaries.map((s) => ({
      activeDays: s.activeDays,
      lastActivityAt: s.lastActivityAt === null ? null : Date.parse(s.lastActivityAt),
    })),
    t,
    windowDays,
    0,
  ).stages;
};

type Happening = { readonly userId: string; readonly at: number; readonly kind: 'signUp' | 'activity' };

/** a seeded history: users signing up and active over ~60 days, some before their sign-up, some never signing up */
export const stageCountsDataset = (seed: number, users = 30): Happening[] => {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const happenings: Happening[] = [];
  for (let u = 0; u < users; u++) {
    const userId = `u${u}`;
    const signUp = START + Math.floor(random() * 40 * DAY_MS);
    if (random() < 0.9) happenings.push({ userId, at: signUp, kind: 'signUp' });
    // a second, earlier sign-up event that arrives later: the profile keeps the earliest
    if (random() < 0.1) happenings.push({ userId, at: signUp - Math.floor(random() * 3 * DAY_MS), kind: 'signUp' });
    const activities = Math.floor(random() * 6);
    for (let a = 0; a < activities; a++) {
      const at = signUp + Math.floor((random() - 0.1) * 25 * DAY_MS);
      happenings.push({ userId, at, kind: 'activity' });
      // two on the same day sometimes, and one at UTC midnight
      if (random() < 0.3) happenings.push({ userId, at: Math.floor(at / DAY_MS) * DAY_MS, kind: 'activity' });
    }
  }
  // out of order: shuffled
  for (let i = happenings.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [happenings[i], happenings[j]] = [happenings[j] as Happening, happenings[i] as Happening];
  }
  return happenings;
};

/** applies happenings the way the users projection does: the profile keeps the earliest sign-up */
export const applyHappenings = (w: ReadModelWriter, happenings: readonly Happening[]): void => {
  for (const h of happenings) {
    const known = w.getProfile(h.userId);
    const base: UserProfile = known ?? {
      userId: h.userId,
      firstSeenAt: iso(h.at),
      lastSeenAt: iso(h.at),
      eventCount: 0,
      lastEventType: 'PageViewed',
    };
    const signedUpAt =
      h.kind === 'signUp' && (base.signedUpAt === undefined || iso(h.at) < base.signedUpAt)
        ? iso(h.at)
        : base.signedUpAt;
    w.putProfile({ ...base, eventCount: base.eventCount + 1, ...(signedUpAt ? { signedUpAt } : {}) });
    if (h.kind === 'activity') w.addActivity(h.userId, iso(h.at));
  }
};

/** every instant where some count may change, and either side of it, plus some in between */
export const probesOf = (happenings: readonly Happening[], windowDays = W): string[] => {
  const instants = new Set<number>([START - 1]);
  for (const h of happenings) {
    for (const at of [h.at, h.at + windowDays * DAY_MS]) for (const d of [-1, 0, 1]) instants.add(at + d);
  }
  for (let day = 0; day < 90; day += 7) instants.add(START + day * DAY_MS + 12 * 3_600_000);
  return [...instants].sort((a, b) => a - b).map(iso);
};

export const describeStageCountsContract = (storeOf: () => ReadModels): void => {
  describe('stage counts', () => {
    it('are all zero with no users', async () => {
      expect(await storeOf().stageCounts('2026-01-10T00:00:00.000Z', W)).toEqual({
        signedUp: 0,
        activated: 0,
        active: 0,
        inactive: 0,
      });
    });

    it('answer undefined for a window they are not kept for', async () => {
      const store = storeOf();
      await applyNext(store, (w) => applyHappenings(w, stageCountsDataset(1, 3)));
      expect(await store.stageCounts('2026-01-10T00:00:00.000Z', W + 1)).toBeUndefined();
    });

    it('equal the per-user funnel at every instant where a count may change, events arriving out of order over many batches', async () => {
      const store = storeOf();
      const happenings = stageCountsDataset(7);
      const probes = probesOf(happenings);
      for (let start = 0; start < happenings.length; start += 17) {
        await applyNext(store, (w) => applyHappenings(w, happenings.slice(start, start + 17)));
        // after some batches too, not only at the end
        if (start % 51 === 0) {
          for (const asOf of probes.filter((_, i) => i % 13 === 0)) {
            expect(await store.stageCounts(asOf, W), asOf).toEqual(await perUserStageCounts(store, asOf));
          }
        }
      }
      for (const asOf of probes) {
        expect(await store.stageCounts(asOf, W), asOf).toEqual(await perUserStageCounts(store, asOf));
      }
    });

    it('follow activity that fills a day in from both ends, and sign-ups moved earlier, batch after batch', async () => {
      const store = storeOf();
      const day = Date.parse('2026-01-05T00:00:00.000Z');
      const history: Happening[] = [
        { userId: 'a', at: day + 12 * 3_600_000, kind: 'activity' },
        { userId: 'a', at: day + 20 * 3_600_000, kind: 'signUp' },
        { userId: 'a', at: day + 23 * 3_600_000, kind: 'activity' },
        { userId: 'a', at: day + 1, kind: 'activity' },
        { userId: 'a', at: day - 3 * DAY_MS, kind: 'signUp' },
        { userId: 'a', at: day + 9 * DAY_MS, kind: 'activity' },
        { userId: 'a', at: day + 30 * DAY_MS, kind: 'activity' },
      ];
      for (const h of history) {
        await applyNext(store, (w) => applyHappenings(w, [h]));
        for (const asOf of probesOf(history)) {
          expect(await store.stageCounts(asOf, W), asOf).toEqual(await perUserStageCounts(store, asOf));
        }
      }
    });

    it('count a sign-up exactly at T and an activity exactly at T', async () => {
      const store = storeOf();
      const t = '2026-01-10T12:00:00.000Z';
      await applyNext(store, (w) => applyHappenings(w, [{ userId: 'x', at: Date.parse(t), kind: 'signUp' }]));
      await applyNext(store, (w) =>
        applyHappenings(w, [
          { userId: 'y', at: Date.parse(t) - DAY_MS, kind: 'signUp' },
          { userId: 'y', at: Date.parse(t), kind: 'activity' },
        ]),
      );
      expect(await store.stageCounts(t, W)).toEqual({ signedUp: 1, activated: 1, active: 0, inactive: 0 });
      expect(await store.stageCounts(iso(Date.parse(t) - 1), W)).toEqual({
        signedUp: 1,
        activated: 0,
        active: 0,
        inactive: 0,
      });
    });
  });
};
