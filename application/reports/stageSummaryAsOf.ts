import type { ActivityHistory, StageSummary } from '../ports/readModels/readModels.ts';

/**
 * The StageSummary as of T from an activity history read as of A ≥ T, as `stageSummaries(T)` would
 * answer; undefined before sign-up. On T's own day its latest activity stands in only when it is at or
 * before T, else its first.
 */
export const stageSummaryAsOf = (history: ActivityHistory, asOf: string): StageSummary | undefined => {
  if (history.signedUpAt > asOf) return undefined;
  let activeDays = 0;
  let lastActivityAt: string | null = null;
  for (const day of history.days) {
    if (day.firstAt > asOf) continue;
    activeDays++;
    const latest = day.lastAt <= asOf ? day.lastAt : day.firstAt;
    if (lastActivityAt === null || latest > lastActivityAt) lastActivityAt = latest;
  }
  return { userId: history.userId, signedUpAt: history.signedUpAt, activeDays, lastActivityAt };
};
