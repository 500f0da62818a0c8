import { Cron } from 'croner';
import type { ReportSchedule } from '../../application/reports/reportScheduler.ts';

/** A cron expression in an IANA time zone, through croner. */
export const cronSchedule = (pattern: string, timeZone: string): ReportSchedule => {
  const reference = new Cron(pattern, { timezone: timeZone, paused: true });
  return {
    latestRunAtOrBefore: (now) => reference.previousRuns(1, new Date(now + 1))[0]?.getTime() ?? null,
    start: (tick) => {
      const job = new Cron(pattern, { timezone: timeZone, protect: true }, tick);
      return () => job.stop();
    },
  };
};
