import { addDays, daysFrom, zonedDayOf } from '../../domain/report/zonedDay.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventStore } from '../ports/eventStore/eventStore.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import { type ReportRun, readRecordedReports } from './runFunnelReport.ts';

/** When reports are due: a cron expression in a time zone (croner adapts it). */
export interface ReportSchedule {
  /** the latest scheduled instant at or before `now`, or null when none */
  latestRunAtOrBefore(now: number): number | null;
  /** calls `tick` at every scheduled instant until the returned stop is called */
  start(tick: () => void): () => void;
}

export type ReportSchedulerOptions = {
  readonly timeZone: string;
  /** at most this many missed days are reported on start-up, the most recent ones */
  readonly catchUpDays: number;
  readonly logger?: Logger;
};

/**
 * Runs the daily report on its schedule; a run on day X reports X − 1 in the report's zone. At
 * start-up and every tick it reports, oldest first, at most `catchUpDays` days missed since the last
 * recorded one; a reporter that never ran reports only the day due now.
 */
export class ReportScheduler {
  private chain: Promise<unknown> = Promise.resolve();
  private stopSchedule: (() => void) | undefined;

  constructor(
    private readonly deps: {
      readonly store: EventStore;
      readonly schedule: ReportSchedule;
      readonly clock: Clock;
      readonly report: (date: string) => Promise<ReportRun>;
    },
    private readonly options: ReportSchedulerOptions,
  ) {}

  /** the dates to report now, oldest first */
  async dueDates(): Promise<string[]> {
    const latestRun = this.deps.schedule.latestRunAtOrBefore(this.deps.clock.now());
    if (latestRun === null) return [];
    const due = addDays(zonedDayOf(latestRun, this.options.timeZone), -1);
    const { reports, unpublished } = await readRecordedReports(this.deps.store);
    const earliest = addDays(due, 1 - Math.max(1, this.options.catchUpDays));
    // YYYY-MM-DD days compare as strings; a record whose posting was cut off is finished within the catch-up window
    const cutOff = unpublished.map((u) => u.report.date).filter((d) => d >= earliest && d <= due);
    const recorded = new Set(reports.map((r) => r.date));
    const lastRecorded = reports.reduce<string | undefined>(
      (max, r) => (max && max > r.date ? max : r.date),
      undefined,
    );
    if (lastRecorded === undefined) return [due];
    const missed =
      lastRecorded >= due
        ? []
        : daysFrom([addDays(lastRecorded, 1), earliest].sort()[1] ?? earliest, due).filter((d) => !recorded.has(d));
    return [...new Set([...cutOff, ...missed])].sort();
  }

  /** reports every due date, one after the other; runs never overlap */
  catchUp(): Promise<ReportRun[]> {
    const next = this.chain.then(async () => {
      const runs: ReportRun[] = [];
      for (const date of await this.dueDates()) {
        const run = await this.deps.report(date);
        (this.options.logger ?? silentLogger).info(
          { date, result: run.kind },
          `funnel report for ${date}: ${run.kind}`,
        );
        runs.push(run);
      }
      return runs;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** catches up now, then at every scheduled instant; a failed run is logged and retried at the next */
  start(): void {
    const logger = this.options.logger ?? silentLogger;
    const tick = () =>
      void this.catchUp().catch((error: unknown) =>
        logger.error({ err: error }, 'the funnel report failed; it is tried again at the next scheduled run'),
      );
    tick();
    this.stopSchedule = this.deps.schedule.start(tick);
  }

  async stop(): Promise<void> {
    this.stopSchedule?.();
    this.stopSchedule = undefined;
    await this.chain;
  }
}
