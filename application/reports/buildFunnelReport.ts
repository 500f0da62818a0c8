import { addDays, daysFrom, endOfZonedDay, startOfZonedDay } from '../../domain/report/zonedDay.ts';
import { funnelOf } from '../../domain/stage/funnel.ts';
import { type Stage, stageOf, stages } from '../../domain/stage/stage.ts';
import type { FunnelReport, ReportUser, StageReport } from '../ports/funnelReport.ts';
import type { ReadModelQueries, StageSummary } from '../ports/readModels/readModels.ts';
import { stageSummaryAsOf } from './stageSummaryAsOf.ts';

export type FunnelReportOptions = {
  readonly timeZone: string;
  readonly windowDays: number;
  /** days in the trend chart, ending with the report date (default 30) */
  readonly trendDays?: number;
  /** journey events listed per user (default 3) */
  readonly latestEvents?: number;
};

const iso = (ms: number): string => new Date(ms).toISOString();
const summaryOf = (s: StageSummary) => ({
  activeDays: s.activeDays,
  lastActivityAt: s.lastActivityAt === null ? null : Date.parse(s.lastActivityAt),
});

/**
 * The funnel as of the end of `date` in the zone, with each stage's users, the change from the day
 * before and a trend. It uses the domain's stage logic over one read of the activity history, so a
 * past date's report is the funnel as it was then.
 */
export const buildFunnelReport = async (
  readModels: ReadModelQueries,
  date: string,
  options: FunnelReportOptions,
): Promise<FunnelReport> => {
  const { timeZone, windowDays } = options;
  // at least two days: the change from the day before comes from the trend
  const trendDays = Math.max(2, options.trendDays ?? 30);
  const asOf = endOfZonedDay(date, timeZone);
  // one read of every user's activity days: the day's summaries and each trend day's follow from it
  const history = await readModels.activityHistory(iso(asOf));
  const asOfIso = iso(asOf);
  const summaries = history.flatMap((h) => stageSummaryAsOf(h, asOfIso) ?? []);
  const byStage = new Map<Stage, StageSummary[]>(stages.map((s) => [s, []]));
  for (const s of summaries) byStage.get(stageOf(summaryOf(s), asOf, windowDays))?.push(s);

  const trendDates = daysFrom(addDays(date, 1 - trendDays), addDays(date, -1));
  const trend = new Map<string, Record<Stage, number>>();
  for (const day of trendDates) {
    const dayAsOf = endOfZonedDay(day, timeZone);
    const dayAsOfIso = iso(dayAsOf);
    // the stage deltas answer each day in constant time; a store without them for this window counts the history
    const counts = await readModels.stageCounts(dayAsOfIso, windowDays);
    if (counts) {
      trend.set(day, counts);
      continue;
    }
    const daySummaries: { activeDays: number; lastActivityAt: number | null }[] = [];
    for (const h of history) {
      const s = stageSummaryAsOf(h, dayAsOfIso);
      if (s) daySummaries.push(summaryOf(s));
    }
    trend.set(day, funnelOf(daySummaries, dayAsOf, windowDays, 0).stages);
  }
  const newSignups = await readModels.countSignups(iso(startOfZonedDay(date, timeZone) - 1), iso(asOf));

  const profiles = new Map((await readModels.getProfiles(summaries.map((s) => s.userId))).map((p) => [p.userId, p]));
  const latest = new Map(
    (await readModels.latestEvents(iso(asOf), options.latestEvents ?? 3)).map((l) => [l.userId, l.events]),
  );

  const stageReports: StageReport[] = [];
  for (const stage of stages) {
    const inStage = [...(byStage.get(stage) ?? [])].sort(
      (a, b) => b.signedUpAt.localeCompare(a.signedUpAt) || a.userId.localeCompare(b.userId),
    );
    const users: ReportUser[] = [];
    for (const s of inStage) {
      const p = profiles.get(s.userId);
      users.push({
        userId: s.userId,
        ...(p?.email === undefined ? {} : { email: p.email }),
        ...(p?.name === undefined ? {} : { name: p.name }),
        signedUpAt: s.signedUpAt,
        lastActivityAt: s.lastActivityAt,
        latestEvents: latest.get(s.userId) ?? [],
      });
    }
    const previous = trend.get(addDays(date, -1))?.[stage] ?? 0;
    stageReports.push({
      stage,
      count: users.length,
      previousCount: previous,
      trend: [
        ...trendDates.map((day) => ({ date: day, count: trend.get(day)?.[stage] ?? 0 })),
        { date, count: users.length },
      ],
      users,
    });
  }
  const countsAndIds = Object.fromEntries(
    stageReports.map((r) => [r.stage, { count: r.count, userIds: r.users.map((u) => u.userId) }]),
  ) as FunnelReport['recorded']['stages'];
  return {
    recorded: { date, timeZone, asOf: iso(asOf), windowDays, newSignups, stages: countsAndIds, forced: false },
    stages: stageReports,
  };
};
