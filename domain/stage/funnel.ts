import { ValidationError } from '../errors/journeyError.ts';
import { type ActivitySummary, checkAsOfAndWindow, DAY_MS, type Stage, stageOf, stages } from './stage.ts';

export type Funnel = {
  /** T, ISO-8601 UTC */
  asOf: string;
  windowDays: number;
  /** sign-ups with event time in (T − 24h, T]; counted by the caller, who has the sign-up times */
  newSignups: number;
  /** every user signed up at or before T, by stage; the caller passes only those users */
  stages: Record<Stage, number>;
};

/** The funnel as of T from the activity summaries of every user signed up at or before T. */
export const funnelOf = (
  summaries: readonly ActivitySummary[],
  asOf: number,
  windowDays: number,
  newSignups: number,
): Funnel => {
  checkAsOfAndWindow(asOf, windowDays);
  const counts = Object.fromEntries(stages.map((s) => [s, 0])) as Record<Stage, number>;
  for (const summary of summaries) counts[stageOf(summary, asOf, windowDays)] += 1;
  return { asOf: new Date(asOf).toISOString(), windowDays, newSignups, stages: counts };
};

const DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

export const utcDayOf = (ms: number): string => {
  if (!Number.isFinite(ms)) {
    throw new ValidationError(`${ms} is not an instant; pass epoch milliseconds`, [
      { path: 'ms', message: 'must be finite epoch milliseconds' },
    ]);
  }
  return new Date(ms).toISOString().slice(0, 10);
};

/** Midnight UTC of a `YYYY-MM-DD` day; rejects non-days such as 2026-02-30 that Date.parse would roll over. */
const startOfUtcDay = (day: string, parameter: string): number => {
  const ms = DAY_FORMAT.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new ValidationError(`${parameter}=${day} is not a UTC day; use YYYY-MM-DD such as 2026-01-31`, [
      { path: parameter, message: 'must be a day written YYYY-MM-DD' },
    ]);
  }
  return ms;
};

/** The last millisecond of the day, so that an event at 00:00 the next day is not counted. */
export const endOfUtcDay = (day: string): number => startOfUtcDay(day, 'day') + DAY_MS - 1;

/** Every UTC day from `from` to `to`, both included; at most 366 so that one request stays cheap. */
export const utcDaysBetween = (from: string, to: string): string[] => {
  const start = startOfUtcDay(from, 'from');
  const end = startOfUtcDay(to, 'to');
  if (start > end) {
    throw new ValidationError(`from=${from} is after to=${to}; swap them`, [
      { path: 'from', message: 'must not be after to' },
    ]);
  }
  const count = (end - start) / DAY_MS + 1;
  if (count > MAX_DAYS) {
    throw new ValidationError(`from=${from} to=${to} spans ${count} days; ask for at most ${MAX_DAYS} days at a time`, [
      { path: 'to', message: `must be at most ${MAX_DAYS} days after from, counting both` },
    ]);
  }
  return Array.from({ length: count }, (_, i) => utcDayOf(start + i * DAY_MS));
};
