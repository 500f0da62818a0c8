import { ValidationError } from '../errors/journeyError.ts';

/**
 * Where a signed-up user stands as of an instant T, judged by meaningful activity (what the
 * projector records as activity) in a window of W days:
 * - signedUp: no activity at or before T;
 * - activated: activity on exactly one UTC day, the latest after T − W;
 * - active: activity on two or more UTC days, the latest after T − W;
 * - inactive: activity, but none after T − W.
 * "After T − W" is strict: activity exactly W days before T is no longer recent.
 */
export const stages = ['signedUp', 'activated', 'active', 'inactive'] as const;
export type Stage = (typeof stages)[number];

export type ActivitySummary = {
  /** distinct UTC days with activity at or before T */
  activeDays: number;
  /** latest activity at or before T, epoch milliseconds */
  lastActivityAt: number | null;
};

export const DAY_MS = 86_400_000;

/** Shared by the stage and funnel functions: a bad window or instant is the caller's bug or bad config. */
export const checkAsOfAndWindow = (asOf: number, windowDays: number): void => {
  if (!Number.isFinite(asOf)) {
    throw new ValidationError(`asOf=${asOf} is not an instant; pass epoch milliseconds`, [
      { path: 'asOf', message: 'must be finite epoch milliseconds' },
    ]);
  }
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new ValidationError(`windowDays=${windowDays} is not a whole number of days ≥ 1; use e.g. 7`, [
      { path: 'windowDays', message: 'must be a whole number ≥ 1' },
    ]);
  }
};

export const stageOf = (summary: ActivitySummary, asOf: number, windowDays: number): Stage => {
  checkAsOfAndWindow(asOf, windowDays);
  const { activeDays, lastActivityAt } = summary;
  if (lastActivityAt === null || activeDays < 1) return 'signedUp';
  if (lastActivityAt <= asOf - windowDays * DAY_MS) return 'inactive';
  return activeDays === 1 ? 'activated' : 'active';
};
