import { describe, expect, it } from 'vitest';
import { isValidationError } from '../errors/journeyError.ts';
import {
  addDays,
  daysFrom,
  endOfZonedDay,
  isTimeZone,
  startOfZonedDay,
  zonedDateTimeFormatter,
  zonedDayOf,
} from './zonedDay.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('days in a time zone', () => {
  it('ends a UTC day at its last millisecond', () => {
    expect(iso(startOfZonedDay('2026-03-10', 'UTC'))).toBe('2026-03-10T00:00:00.000Z');
    expect(iso(endOfZonedDay('2026-03-10', 'UTC'))).toBe('2026-03-10T23:59:59.999Z');
  });

  it('shifts the day by the zone’s offset', () => {
    expect(iso(startOfZonedDay('2026-03-10', 'Asia/Tokyo'))).toBe('2026-03-09T15:00:00.000Z');
    expect(iso(endOfZonedDay('2026-03-10', 'Asia/Tokyo'))).toBe('2026-03-10T14:59:59.999Z');
    expect(iso(endOfZonedDay('2026-01-15', 'America/New_York'))).toBe('2026-01-16T04:59:59.999Z');
  });

  it('has 23 hours on the spring DST day and 25 on the autumn one', () => {
    const hours = (day: string, zone: string) =>
      (endOfZonedDay(day, zone) + 1 - startOfZonedDay(day, zone)) / 3_600_000;
    expect(hours('2026-03-29', 'Europe/Berlin')).toBe(23);
    expect(hours('2026-10-25', 'Europe/Berlin')).toBe(25);
    expect(hours('2026-03-08', 'America/New_York')).toBe(23);
    expect(hours('2026-03-10', 'Europe/Berlin')).toBe(24);
  });

  it('starts a day whose midnight falls in a DST gap at the first instant that exists', () => {
    // Santiago skips 00:00–01:00 on its spring day (2026-09-06)
    const start = startOfZonedDay('2026-09-06', 'America/Santiago');
    expect(zonedDayOf(start, 'America/Santiago')).toBe('2026-09-06');
    expect(zonedDayOf(start - 1, 'America/Santiago')).toBe('2026-09-05');
  });

  it('names the day of an instant in the zone, and counts days across month ends', () => {
    expect(zonedDayOf(Date.parse('2026-03-10T15:00:00Z'), 'Asia/Tokyo')).toBe('2026-03-11');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysFrom('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  });

  it('formats instants as wall-clock time in the zone', () => {
    expect(zonedDateTimeFormatter('Europe/Berlin')('2026-03-10T23:30:00.000Z')).toBe('2026-03-11 00:30');
    expect(zonedDateTimeFormatter('UTC')('2026-03-10T00:05:00.000Z')).toBe('2026-03-10 00:05');
  });

  it('knows time zones, and refuses a day that does not exist, naming the parameter', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    try {
      endOfZonedDay('2026-02-30', 'UTC');
      expect.unreachable();
    } catch (error) {
      expect(isValidationError(error) && error.issues[0]?.path).toBe('date');
      expect(String(error)).toContain('date=2026-02-30 is not a day; use YYYY-MM-DD');
    }
  });
});
