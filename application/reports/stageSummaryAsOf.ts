import type { ActivityHistory, StageSummary } from '../ports/readModels/readModels.ts';

/**
 * The StageSummary as of T from an activity history read as of A ≥ T: what
 * `ReadModelQueries.stageSummaries(T)` answers for the user (the contract checks they agree),
 * undefined when they had not signed up by T. A day that began at or before T counts; on T's
 * own day its latest activity stands in only when it is at or before T, else its first.
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
