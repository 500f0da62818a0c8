import { Cron } from 'croner';
import { z } from 'zod';
import { isTimeZone } from '../../domain/report/zonedDay.ts';

const isCron = (pattern: string): boolean => {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
};

/**
 * Configuration of the daily funnel report: zod fields merged into the one config
 * schema, so a bad value stops start-up naming the variable.
 */
export const reportConfigShape = {
  SLACK_REPORT_CHANNEL: z
    .string()
    .regex(
      /^(#[a-z0-9][a-z0-9._-]*|[CGD][A-Z0-9]{2,})$/,
      'must be a channel name such as #portal-analytics or an id such as C0123ABC',
    )
    .default('#portal-analytics'),
  JOURNEY_REPORT_CRON: z
    .string()
    .default('0 6 * * *')
    .refine(isCron, 'must be a cron expression such as "0 6 * * *" (minute hour day month weekday)'),
  JOURNEY_REPORT_TZ: z
    .string()
    .default('UTC')
    .refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin'),
  JOURNEY_REPORT_CATCHUP_DAYS: z
    .string()
    .default('3')
    .refine((s) => /^\d+$/.test(s.trim()) && Number(s) <= 31, 'must be a whole number of days from 0 to 31')
    .transform(Number),
};
