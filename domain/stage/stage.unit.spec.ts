import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../errors/journeyError.ts';
import { type Stage, stageOf, stages } from './stage.ts';
import { summarizeActivity } from './summarizeActivity.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.parse('2026-01-31T12:00:00.000Z');
const W = 7;

/**
 * given a user who signed up (sign-up itself is not activity) and was active at these
 * instants, when we look as of T with a window of W days, then they are in this stage.
 */
const given = (activity: readonly number[]) => ({
  whenAsOf: (asOf: number, windowDays = W) => ({
    thenStageIs: (expected: Stage) => {
      expect(stageOf(summarizeActivity(activity, asOf), asOf, windowDays)).toBe(expected);
    },
  }),
});

describe('stageOf', () => {
  it('lists the stages in funnel order', () => {
    expect(stages).toEqual(['signedUp', 'activated', 'active', 'inactive']);
  });

  it('is signedUp without any activity', () => {
    given([]).whenAsOf(T).thenStageIs('signedUp');
  });

  it('is activated by one activity, and counts activity exactly at T', () => {
    given([T]).whenAsOf(T).thenStageIs('activated');
  });

  it('ignores activity after T', () => {
    given([T + 1])
      .whenAsOf(T)
      .thenStageIs('signedUp');
    given([T - HOUR, T + DAY])
      .whenAsOf(T)
      .thenStageIs('activated');
  });

  it('counts two activities on the same UTC day as one day', () => {
    const morning = Date.parse('2026-01-31T00:00:00.000Z');
    given([morning, morning + 11 * HOUR])
      .whenAsOf(T)
      .thenStageIs('activated');
  });

  it('counts activities either side of UTC midnight as two days, even a millisecond apart', () => {
    const midnight = Date.parse('2026-01-31T00:00:00.000Z');
    given([midnight - 1, midnight])
      .whenAsOf(T)
      .thenStageIs('active');
  });

  it('is active with activity on two UTC days, the latest recent', () => {
    given([T - 3 * DAY, T - DAY])
      .whenAsOf(T)
      .thenStageIs('active');
  });

  it('stays active when only the latest activity is inside the window', () => {
    given([T - 30 * DAY, T - 1])
      .whenAsOf(T)
      .thenStageIs('active');
  });

  it('does not count activity exactly at T − W as recent', () => {
    given([T - W * DAY])
      .whenAsOf(T)
      .thenStageIs('inactive');
    given([T - 9 * DAY, T - W * DAY])
      .whenAsOf(T)
      .thenStageIs('inactive');
  });

  it('counts activity one millisecond after T − W as recent', () => {
    given([T - W * DAY + 1])
      .whenAsOf(T)
      .thenStageIs('activated');
    given([T - 9 * DAY, T - W * DAY + 1])
      .whenAsOf(T)
      .thenStageIs('active');
  });

  it('honours the window it is given', () => {
    given([T - 2 * DAY])
      .whenAsOf(T, 1)
      .thenStageIs('inactive');
    given([T - 2 * DAY])
      .whenAsOf(T, 3)
      .thenStageIs('activated');
  });

  it('treats a summary with no activity time as signedUp, whatever its day count', () => {
    expect(stageOf({ activeDays: 3, lastActivityAt: null }, T, W)).toBe('signedUp');
    expect(stageOf({ activeDays: 0, lastActivityAt: T }, T, W)).toBe('signedUp');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects windowDays=%s naming the parameter', (windowDays) => {
    let thrown: unknown;
    try {
      stageOf({ activeDays: 1, lastActivityAt: T }, T, windowDays);
    } catch (error) {
      thrown = error;
    }
    expect(isValidationError(thrown) && thrown.issues[0]?.path).toBe('windowDays');
  });

  it('rejects an asOf that is not an instant', () => {
    expect(() => stageOf({ activeDays: 0, lastActivityAt: null }, Number.NaN, W)).toThrow(/asOf=NaN/);
  });
});

describe('summarizeActivity', () => {
  it('counts distinct UTC days and the latest instant at or before T', () => {
    expect(summarizeActivity([T - DAY, T, T - DAY + 1, T + 1], T)).toEqual({ activeDays: 2, lastActivityAt: T });
  });

  it('is empty with no activity at or before T', () => {
    expect(summarizeActivity([T + 1], T)).toEqual({ activeDays: 0, lastActivityAt: null });
  });

  it('handles instants before 1970', () => {
    expect(summarizeActivity([-1, 0], 0)).toEqual({ activeDays: 2, lastActivityAt: 0 });
  });
});

describe('stageOf ∘ summarizeActivity agrees with a brute-force classification', () => {
  /** Written from the definition, with ISO day strings and no shared helpers. */
  const bruteForce = (activity: readonly number[], asOf: number, windowDays: number): Stage => {
    const seen = activity.filter((at) => at <= asOf);
    if (seen.length === 0) return 'signedUp';
    const windowStart = asOf - windowDays * 86_400_000;
    const recent = seen.some((at) => at > windowStart);
    if (!recent) return 'inactive';
    const days = new Set(seen.map((at) => new Date(at).toISOString().slice(0, 10)));
    return days.size === 1 ? 'activated' : 'active';
  };

  // Offsets cluster on the boundaries that matter: T itself, T − W, and UTC midnights.
  const scenario = fc
    .record({
      asOf: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-01-01') }),
      windowDays: fc.integer({ min: 1, max: 30 }),
    })
    .chain(({ asOf, windowDays }) => {
      const midnight = Math.floor(asOf / DAY) * DAY;
      const instant = fc.oneof(
        fc.integer({ min: asOf - 40 * DAY, max: asOf + 2 * DAY }),
        fc.constantFrom(asOf, asOf + 1, asOf - 1, midnight, midnight - 1),
        fc.integer({ min: -1, max: 1 }).map((d) => asOf - windowDays * DAY + d),
        fc.integer({ min: -40, max: 1 }).map((d) => midnight + d * DAY),
      );
      return fc.record({
        asOf: fc.constant(asOf),
        windowDays: fc.constant(windowDays),
        activity: fc.array(instant, { maxLength: 8 }),
      });
    });

  it('for every activity history, T and W', () => {
    fc.assert(
      fc.property(scenario, ({ activity, asOf, windowDays }) => {
        expect(stageOf(summarizeActivity(activity, asOf), asOf, windowDays)).toBe(
          bruteForce(activity, asOf, windowDays),
        );
      }),
      { numRuns: 5000 },
    );
  });
});
