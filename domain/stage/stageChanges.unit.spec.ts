import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { funnelOf } from './funnel.ts';
import { DAY_MS } from './stage.ts';
import { addStageDeltas, type StageDelta, type StageHistory, stageChangesOf, stageCountsAt } from './stageChanges.ts';
import { summarizeActivity } from './summarizeActivity.ts';

const HOUR = 3_600_000;
const W = 7;
const S = Date.parse('2026-01-01T09:00:00.000Z');

/** days as the read models keep them: first and last instant per UTC day */
const daysOf = (instants: readonly number[]): StageHistory['days'] => {
  const byDay = new Map<number, { firstAt: number; lastAt: number }>();
  for (const at of instants) {
    const key = Math.floor(at / DAY_MS);
    const day = byDay.get(key);
    if (day === undefined) byDay.set(key, { firstAt: at, lastAt: at });
    else {
      day.firstAt = Math.min(day.firstAt, at);
      day.lastAt = Math.max(day.lastAt, at);
    }
  }
  return [...byDay.values()];
};

describe('stageChangesOf', () => {
  it('has no changes before a sign-up, whatever the activity', () => {
    expect(stageChangesOf({ signedUpAt: null, days: daysOf([S]) }, W)).toEqual([]);
  });

  it('starts signedUp at the sign-up, activated at the first activity, inactive at its last instant + W', () => {
    const a = S + 2 * HOUR;
    const b = S + 5 * HOUR;
    expect(stageChangesOf({ signedUpAt: S, days: daysOf([a, b]) }, W)).toEqual([
      { at: S, from: null, to: 'signedUp' },
      { at: a, from: 'signedUp', to: 'activated' },
      { at: b + W * DAY_MS, from: 'activated', to: 'inactive' },
    ]);
  });

  it('becomes active at the first instant of a second day, and stays so while any day is recent', () => {
    const day1 = S + HOUR;
    const day2 = S + 3 * DAY_MS;
    expect(stageChangesOf({ signedUpAt: S, days: daysOf([day2, day1]) }, W)).toEqual([
      { at: S, from: null, to: 'signedUp' },
      { at: day1, from: 'signedUp', to: 'activated' },
      { at: day2, from: 'activated', to: 'active' },
      { at: day2 + W * DAY_MS, from: 'active', to: 'inactive' },
    ]);
  });

  it('goes back from inactive to active when activity resumes after a gap longer than W', () => {
    const day1 = S + HOUR;
    const day2 = S + 20 * DAY_MS;
    expect(stageChangesOf({ signedUpAt: S, days: daysOf([day1, day2]) }, W).map((c) => [c.at, c.to])).toEqual([
      [S, 'signedUp'],
      [day1, 'activated'],
      [day1 + W * DAY_MS, 'inactive'],
      [day2, 'active'],
      [day2 + W * DAY_MS, 'inactive'],
    ]);
  });

  it('starts in the stage the activity before the sign-up gives', () => {
    const before = S - 2 * DAY_MS;
    expect(stageChangesOf({ signedUpAt: S, days: daysOf([before]) }, W)).toEqual([
      { at: S, from: null, to: 'activated' },
      { at: before + W * DAY_MS, from: 'activated', to: 'inactive' },
    ]);
    expect(stageChangesOf({ signedUpAt: S, days: daysOf([S - 9 * DAY_MS]) }, W)).toEqual([
      { at: S, from: null, to: 'inactive' },
    ]);
  });

  it('rejects a window that is not a whole number of days ≥ 1', () => {
    expect(() => stageChangesOf({ signedUpAt: S, days: [] }, 0)).toThrow(/windowDays=0/);
  });
});

describe('stage deltas agree with funnelOf over the summaries, for every history and T', () => {
  // Instants cluster on what matters: one base instant, UTC midnights and W-day steps from it.
  const scenario = fc
    .record({
      base: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-01-01') }),
      windowDays: fc.integer({ min: 1, max: 20 }),
    })
    .chain(({ base, windowDays }) => {
      const midnight = Math.floor(base / DAY_MS) * DAY_MS;
      const instant = fc.oneof(
        fc.integer({ min: base - 30 * DAY_MS, max: base + 30 * DAY_MS }),
        fc
          .tuple(fc.integer({ min: -30, max: 30 }), fc.constantFrom(-1, 0, 1))
          .map(([d, ms]) => midnight + d * DAY_MS + ms),
        fc.integer({ min: -30, max: 30 }).map((d) => base + d * DAY_MS),
      );
      const user = fc.record({
        signedUpAt: fc.option(instant, { nil: null, freq: 5 }),
        activity: fc.array(instant, { maxLength: 6 }),
      });
      const probe = fc.oneof(
        instant,
        instant.map((t) => t + windowDays * DAY_MS),
        instant.map((t) => t + windowDays * DAY_MS - 1),
      );
      return fc.record({
        windowDays: fc.constant(windowDays),
        users: fc.array(user, { maxLength: 12 }),
        probes: fc.array(probe, { minLength: 1, maxLength: 8 }),
      });
    });

  it('Σ deltas at or before T equals the per-user funnel (summaries from the raw instants)', () => {
    fc.assert(
      fc.property(scenario, ({ windowDays, users, probes }) => {
        const deltas = new Map<number, StageDelta>();
        for (const u of users) {
          addStageDeltas(deltas, stageChangesOf({ signedUpAt: u.signedUpAt, days: daysOf(u.activity) }, windowDays), 1);
        }
        for (const asOf of probes) {
          const signedUp = users.filter((u) => u.signedUpAt !== null && u.signedUpAt <= asOf);
          const expected = funnelOf(
            signedUp.map((u) => summarizeActivity(u.activity, asOf)),
            asOf,
            windowDays,
            0,
          ).stages;
          expect(stageCountsAt(deltas, asOf)).toEqual(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('taking a user’s old changes away and adding the new ones gives the counts of the new histories', () => {
    fc.assert(
      fc.property(scenario, scenario, ({ windowDays, users, probes }, other) => {
        const before = users.map((u) => ({ signedUpAt: u.signedUpAt, days: daysOf(u.activity) }));
        const after = before.map((h, i) => {
          const more = other.users[i];
          if (!more) return h;
          return {
            signedUpAt: more.signedUpAt ?? h.signedUpAt,
            days: daysOf([...h.days.flatMap((d) => [d.firstAt, d.lastAt]), ...more.activity]),
          };
        });
        const incremental = new Map<number, StageDelta>();
        for (const h of before) addStageDeltas(incremental, stageChangesOf(h, windowDays), 1);
        for (const [i, h] of after.entries()) {
          addStageDeltas(incremental, stageChangesOf(before[i] as StageHistory, windowDays), -1);
          addStageDeltas(incremental, stageChangesOf(h, windowDays), 1);
        }
        const fresh = new Map<number, StageDelta>();
        for (const h of after) addStageDeltas(fresh, stageChangesOf(h, windowDays), 1);
        for (const asOf of probes) expect(stageCountsAt(incremental, asOf)).toEqual(stageCountsAt(fresh, asOf));
      }),
      { numRuns: 500 },
    );
  });
});
