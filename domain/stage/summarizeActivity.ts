import { type ActivitySummary, DAY_MS } from './stage.ts';

/**
 * The reference summary of one user's activity as of T: distinct UTC days among the
 * instants at or before T, and the latest of them. Read models may keep these numbers
 * incrementally; this is what they must agree with.
 */
export const summarizeActivity = (activityInstants: readonly number[], asOf: number): ActivitySummary => {
  const days = new Set<number>();
  let lastActivityAt: number | null = null;
  for (const at of activityInstants) {
    if (!Number.isFinite(at) || at > asOf) continue;
    days.add(Math.floor(at / DAY_MS));
    if (lastActivityAt === null || at > lastActivityAt) lastActivityAt = at;
  }
  return { activeDays: days.size, lastActivityAt };
};
