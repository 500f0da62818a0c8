import { ValidationError } from '../errors/journeyError.ts';
import { DAY_MS, type Stage, stages } from './stage.ts';

/** the window the read models keep stage counts for when nobody says otherwise (`JOURNEY_ACTIVE_WINDOW_DAYS`'s default) */
export const DEFAULT_WINDOW_DAYS = 15;

/** One user as the read models keep them: sign-up and, per UTC day of activity, its first and last instant (epoch ms). */
export type StageHistory = {
  readonly signedUpAt: number | null;
  readonly days: readonly { readonly firstAt: number; readonly lastAt: number }[];
};

/** From instant `at` on (inclusive), the user is in stage `to`; before it in `from` (null: not signed up yet). */
export type StageChange = { readonly at: number; readonly from: Stage | null; readonly to: Stage };

/** net change of each stage's count at one instant, in `stages` order */
export type StageDelta = [signedUp: number, activated: number, active: number, inactive: number];

const STAGE_INDEX: Readonly<Record<Stage, 0 | 1 | 2 | 3>> = { signedUp: 0, activated: 1, active: 2, inactive: 3 };

export const checkWindowDays = (windowDays: number): void => {
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new ValidationError(`windowDays=${windowDays} is not a whole number of days ≥ 1; use e.g. 7`, [
      { path: 'windowDays', message: 'must be a whole number ≥ 1' },
    ]);
  }
};

/**
 * A user's stage as a function of T, as the instants where it changes. `stageOf` depends on T only
 * through T ≥ sign-up, T ≥ fᵢ (a day's first activity) and T < lᵢ + W (its last), so the stage is
 * constant between those breakpoints and changes at most there.
 */
export const stageChangesOf = (history: StageHistory, windowDays: number): StageChange[] => {
  checkWindowDays(windowDays);
  const signedUpAt = history.signedUpAt;
  if (signedUpAt === null) return [];
  const windowMs = windowDays * DAY_MS;
  // each point: [instant, days started (+1 at fᵢ), recent days (+1 at fᵢ, −1 at lᵢ + W)]
  const points: [number, number, number][] = [[signedUpAt, 0, 0]];
  for (const day of history.days) {
    points.push([day.firstAt, 1, 1], [day.lastAt + windowMs, 0, -1]);
  }
  points.sort((a, b) => a[0] - b[0]);
  const changes: StageChange[] = [];
  let days = 0;
  let recent = 0;
  let current: Stage | null = null;
  for (let i = 0; i < points.length; ) {
    const at = (points[i] as [number, number, number])[0];
    for (; i < points.length && (points[i] as [number, number, number])[0] === at; i++) {
      const point = points[i] as [number, number, number];
      days += point[1];
      recent += point[2];
    }
    if (at < signedUpAt) continue;
    const stage: Stage = days === 0 ? 'signedUp' : recent === 0 ? 'inactive' : days === 1 ? 'activated' : 'active';
    if (stage !== current) changes.push({ at, from: current, to: stage });
    current = stage;
  }
  return changes;
};

/** Adds (sign 1) or takes away (sign −1) a user's changes, as per-instant deltas, into `into`. */
export const addStageDeltas = (into: Map<number, StageDelta>, changes: readonly StageChange[], sign: 1 | -1): void => {
  for (const { at, from, to } of changes) {
    let delta = into.get(at);
    if (delta === undefined) {
      delta = [0, 0, 0, 0];
      into.set(at, delta);
    }
    if (from !== null) delta[STAGE_INDEX[from]] -= sign;
    delta[STAGE_INDEX[to]] += sign;
  }
};

export const isZeroDelta = (delta: StageDelta): boolean =>
  delta[0] === 0 && delta[1] === 0 && delta[2] === 0 && delta[3] === 0;

/** the funnel's stage counts as a record, from a sum of deltas */
export const stageCountsOf = (sum: StageDelta): Record<Stage, number> =>
  Object.fromEntries(stages.map((s) => [s, sum[STAGE_INDEX[s]]])) as Record<Stage, number>;

/** The reference query: every user's stage at T is the sum of the deltas at or before T. */
export const stageCountsAt = (deltas: Iterable<readonly [number, StageDelta]>, asOf: number): Record<Stage, number> => {
  const sum: StageDelta = [0, 0, 0, 0];
  for (const [at, delta] of deltas) {
    if (at > asOf) continue;
    for (let i = 0; i < 4; i++) sum[i] = (sum[i] ?? 0) + (delta[i] ?? 0);
  }
  return stageCountsOf(sum);
};
