import { addDays, daysFrom, endOfZonedDay, startOfZonedDay } from '../../domain/report/zonedDay.ts';
import { DAY_MS, type Stage, stageOf, stages } from '../../domain/stage/stage.ts';
import {
  FIRST_USERS_KEPT,
  type FunnelFigures,
  type FunnelReport,
  REPORT_SESSION_DAYS,
  type ReportUser,
  type StageFigures,
} from '../ports/funnelReport.ts';
import type { Logger } from '../ports/logger.ts';
import type { ReadModelQueries, StageSummary } from '../ports/readModels/readModels.ts';
import type { SessionStore } from '../ports/sessionStore/sessionStore.ts';
import { type SessionTotalsOfPage, sessionTotalsReader } from './sessionTotalsReader.ts';
import { stageSummaryAsOf } from './stageSummaryAsOf.ts';

/** What the report reads: the users' and timeline's read models, and the sessions read model. */
export type ReportSources = {
  readonly readModels: ReadModelQueries;
  readonly sessions: Pick<SessionStore, 'sessionTotalsOf'>;
  /** told (once a report) when the sessions cannot be read: the report goes on without them */
  readonly logger?: Logger;
};

export type FunnelReportOptions = {
  readonly timeZone: string;
  readonly windowDays: number;
  /** days in the trend chart, ending with the report date (default 30) */
  readonly trendDays?: number;
  /** journey events listed per user (default 3) */
  readonly latestEvents?: number;
  /** users read from the read models at a time (default 1,000) */
  readonly pageSize?: number;
};

const iso = (ms: number): string => new Date(ms).toISOString();
const stageAt = (s: StageSummary, asOf: number, windowDays: number): Stage =>
  stageOf(
    { activeDays: s.activeDays, lastActivityAt: s.lastActivityAt === null ? null : Date.parse(s.lastActivityAt) },
    asOf,
    windowDays,
  );
const zeroCounts = (): Record<Stage, number> => ({ signedUp: 0, activated: 0, active: 0, inactive: 0 });

/**
 * The report's figures as of the end of `date` in the zone: each stage's count, the change from the
 * day before and a trend, in one pass over the activity histories that holds one page of users.
 */
export const funnelFigures = async (
  readModels: ReadModelQueries,
  date: string,
  options: FunnelReportOptions,
): Promise<FunnelFigures> => {
  const { timeZone, windowDays } = options;
  // at least two days: the change from the day before comes from the trend
  const trendDays = Math.max(2, options.trendDays ?? 30);
  const asOf = endOfZonedDay(date, timeZone);
  const trendDates = daysFrom(addDays(date, 1 - trendDays), addDays(date, -1));
  const trend = new Map<string, Record<Stage, number>>();
  // the stage deltas answer a day in constant time; days a store cannot answer (another window) are counted below
  const counted: { day: string; asOf: number; asOfIso: string }[] = [];
  for (const day of trendDates) {
    const dayAsOf = endOfZonedDay(day, timeZone);
    const counts = await readModels.stageCounts(iso(dayAsOf), windowDays);
    if (counts) trend.set(day, counts);
    else counted.push({ day, asOf: dayAsOf, asOfIso: iso(dayAsOf) });
  }
  for (const { day } of counted) trend.set(day, zeroCounts());
  const today = zeroCounts();
  const asOfIso = iso(asOf);
  for await (const page of readModels.activityHistories(asOfIso, pageOption(options))) {
    for (const history of page) {
      const summary = stageSummaryAsOf(history, asOfIso);
      if (summary) today[stageAt(summary, asOf, windowDays)]++;
      for (const day of counted) {
        const past = stageSummaryAsOf(history, day.asOfIso);
        const counts = trend.get(day.day);
        if (past && counts) counts[stageAt(past, day.asOf, windowDays)]++;
      }
    }
  }
  const newSignups = await readModels.countSignups(iso(startOfZonedDay(date, timeZone) - 1), asOfIso);
  const figures: StageFigures[] = stages.map((stage) => ({
    stage,
    count: today[stage],
    previousCount: trend.get(addDays(date, -1))?.[stage] ?? 0,
    trend: [
      ...trendDates.map((day) => ({ date: day, count: trend.get(day)?.[stage] ?? 0 })),
      { date, count: today[stage] },
    ],
  }));
  const recordedStages = Object.fromEntries(figures.map((f) => [f.stage, { count: f.count }]));
  return {
    recorded: {
      date,
      timeZone,
      asOf: asOfIso,
      windowDays,
      newSignups,
      stages: recordedStages as FunnelFigures['recorded']['stages'],
      forced: false,
    },
    stages: figures,
  };
};

const pageOption = (options: FunnelReportOptions) =>
  options.pageSize === undefined ? {} : { pageSize: options.pageSize };

/**
 * Every user of the report as of `figures.recorded.asOf` with their stage, newest sign-up first,
 * read a page at a time: profiles and activity from the users' read models, each page's latest
 * journey events from the timeline's and its sessions of the last REPORT_SESSION_DAYS from the
 * sessions read model.
 */
export async function* usersByStage(
  sources: ReportSources,
  figures: FunnelFigures,
  options: FunnelReportOptions,
): AsyncIterable<{ readonly stage: Stage; readonly user: ReportUser }> {
  const { readModels } = sources;
  const { asOf: asOfIso, windowDays } = figures.recorded;
  const asOf = Date.parse(asOfIso);
  const perUser = options.latestEvents ?? 3;
  // (asOf − days, asOf], the window the stages use
  const sessionsOf: SessionTotalsOfPage = sessionTotalsReader(sources, {
    from: iso(asOf - REPORT_SESSION_DAYS * DAY_MS + 1),
    to: asOfIso,
  });
  for await (const page of readModels.activityHistories(asOfIso, pageOption(options))) {
    const userIds = page.map((h) => h.userId);
    const [latestEvents, sessions] = await Promise.all([
      readModels.latestEventsOf(userIds, asOfIso, perUser),
      sessionsOf(userIds),
    ]);
    const latest = new Map(latestEvents.map((l) => [l.userId, l.events]));
    for (const history of page) {
      const summary = stageSummaryAsOf(history, asOfIso);
      if (summary === undefined) continue;
      const user: ReportUser = {
        userId: history.userId,
        ...(history.email === undefined ? {} : { email: history.email }),
        ...(history.name === undefined ? {} : { name: history.name }),
        signedUpAt: history.signedUpAt,
        lastActivityAt: summary.lastActivityAt,
        latestEvents: latest.get(history.userId) ?? [],
        ...(sessions === undefined ? {} : { sessions: sessions(history.userId) }),
      };
      yield { stage: stageAt(summary, asOf, windowDays), user };
    }
  }
}

/**
 * The funnel as of the end of `date` in the zone, with the domain's stage logic over the read
 * models as of then, so a past date's report is the funnel as it was. Two passes over the users: the
 * figures first (the documents need each count before their first page), then the users, handed to
 * `layOut` as they are read; the report keeps only the first FIRST_USERS_KEPT of each stage.
 */
export const buildFunnelReport = async (
  sources: ReportSources,
  date: string,
  options: FunnelReportOptions,
  layOut?: (figures: FunnelFigures) => (stage: Stage, user: ReportUser) => void,
): Promise<FunnelReport> => {
  const figures = await funnelFigures(sources.readModels, date, options);
  const add = layOut?.(figures);
  const firstUsers = new Map<Stage, ReportUser[]>(stages.map((s) => [s, []]));
  for await (const { stage, user } of usersByStage(sources, figures, options)) {
    add?.(stage, user);
    const kept = firstUsers.get(stage);
    if (kept && kept.length < FIRST_USERS_KEPT) kept.push(user);
  }
  return {
    recorded: figures.recorded,
    stages: figures.stages.map((f) => ({ ...f, firstUsers: firstUsers.get(f.stage) ?? [] })),
  };
};
