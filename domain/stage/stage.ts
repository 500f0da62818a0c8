import { ValidationError } from '../errors/journeyError.ts';

/**
 * A signed-up user's stage as of T, by meaningful activity: signedUp (none by T); activated / active
 * (one / several UTC days, the latest after T − W); inactive (none after T − W). "After" is strict:
 * activity exactly W days before T is not recent.
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
