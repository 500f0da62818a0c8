import { ValidationError } from '../errors/journeyError.ts';

/**
 * Calendar days in an IANA time zone, from Intl alone (pure: no clock, no I/O). A report
 * date D in zone Z covers [start of D in Z, start of D+1 in Z); DST days are 23 or 25 hours.
 */
const DAY_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterOf = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
};

export const isTimeZone = (timeZone: string): boolean => {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
};

/** wall-clock parts of an instant in the zone */
const partsOf = (ms: number, timeZone: string) => {
  const parts = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
};

/** how far the zone's wall clock is ahead of UTC at an instant, in ms */
const offsetAt = (ms: number, timeZone: string): number => {
  const p = partsOf(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
};

const checkDay = (day: string, parameter: string): [number, number, number] => {
  const m = DAY_FORMAT.exec(day);
  const utc = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== day) {
    throw new ValidationError(`${parameter}=${day} is not a day; use YYYY-MM-DD such as 2026-01-31`, [
      { path: parameter, message: 'must be a day written YYYY-MM-DD' },
    ]);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
};

/** The first millisecond of `day` in the zone (midnight, or the first instant after a DST gap). */
export const startOfZonedDay = (day: string, timeZone: string): number => {
  const [y, mo, d] = checkDay(day, 'date');
  const wallMidnight = Date.UTC(y, mo - 1, d);
  let guess = wallMidnight - offsetAt(wallMidnight, timeZone);
  guess = wallMidnight - offsetAt(guess, timeZone);
  // a DST gap at midnight: the day starts at the first instant whose wall date is `day`
  return zonedDayOf(guess, timeZone) === day ? guess : guess + 3_600_000;
};

export const addDays = (day: string, n: number): string => {
  const [y, mo, d] = checkDay(day, 'date');
  return new Date(Date.UTC(y, mo - 1, d + n)).toISOString().slice(0, 10);
};

/** The last millisecond of `day` in the zone. */
export const endOfZonedDay = (day: string, timeZone: string): number => startOfZonedDay(addDays(day, 1), timeZone) - 1;

/** The calendar day an instant falls on in the zone. */
export const zonedDayOf = (ms: number, timeZone: string): string => {
  const p = partsOf(ms, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
};

/** Every day from `from` to `to`, both included (from ≤ to). */
export const daysFrom = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
};

/** `YYYY-MM-DD HH:mm` of an ISO instant in the zone, for people reading a report */
export const zonedDateTimeFormatter = (timeZone: string): ((iso: string) => string) => {
  // UTC, the default, needs no Intl: a report of 100k users formats 200k instants
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    return (iso) => {
      const s = new Date(Date.parse(iso)).toISOString();
      return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
    };
  }
  const f = formatterOf(timeZone);
  return (iso) => {
    const p = Object.fromEntries(f.formatToParts(Date.parse(iso)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
};
