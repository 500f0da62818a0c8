import { describe, expect, it } from 'vitest';
import { isValidationError } from '../errors/journeyError.ts';
import { endOfUtcDay, funnelOf, utcDayOf, utcDaysBetween } from './funnel.ts';
import { summarizeActivity } from './summarizeActivity.ts';

const DAY = 86_400_000;
const T = Date.parse('2026-01-31T23:59:59.999Z');

const validationPathOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (isValidationError(error)) return error.issues[0]?.path;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('funnelOf', () => {
  it('counts every summary in its stage and renders T as ISO-8601', () => {
    const users = [[], [T], [T - DAY, T], [T - 7 * DAY], [T - 20 * DAY, T - 10 * DAY]];
    const funnel = funnelOf(
      users.map((activity) => summarizeActivity(activity, T)),
      T,
      7,
      2,
    );
    expect(funnel).toEqual({
      asOf: '2026-01-31T23:59:59.999Z',
      windowDays: 7,
      newSignups: 2,
      stages: { signedUp: 1, activated: 1, active: 1, inactive: 2 },
    });
  });

  it('has every stage at zero for no users', () => {
    expect(funnelOf([], T, 7, 0).stages).toEqual({ signedUp: 0, activated: 0, active: 0, inactive: 0 });
  });

  it('passes newSignups through: counting sign-ups in (T − 24h, T] is the caller’s job', () => {
    expect(funnelOf([], T, 7, 5).newSignups).toBe(5);
  });
});

describe('UTC days', () => {
  it('ends a day at its last millisecond, so midnight belongs to the next day', () => {
    const end = endOfUtcDay('2026-01-31');
    expect(new Date(end).toISOString()).toBe('2026-01-31T23:59:59.999Z');
    expect(utcDayOf(end)).toBe('2026-01-31');
    expect(utcDayOf(end + 1)).toBe('2026-02-01');
  });

  it('does not count activity at 00:00 the next day in that day’s funnel', () => {
    const nextMidnight = Date.parse('2026-02-01T00:00:00.000Z');
    const asOf = endOfUtcDay('2026-01-31');
    expect(funnelOf([summarizeActivity([nextMidnight], asOf)], asOf, 7, 0).stages.signedUp).toBe(1);
  });

  it('lists the days between two days, both included, across month and leap-day ends', () => {
    expect(utcDaysBetween('2028-02-28', '2028-03-01')).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(utcDaysBetween('2026-01-31', '2026-01-31')).toEqual(['2026-01-31']);
  });

  it('allows 366 days and refuses 367', () => {
    expect(utcDaysBetween('2028-01-01', '2028-12-31')).toHaveLength(366);
    expect(validationPathOf(() => utcDaysBetween('2027-01-01', '2028-01-02'))).toBe('to');
  });

  it.each([
    ['from after to', () => utcDaysBetween('2026-02-02', '2026-02-01'), 'from'],
    ['a badly written from', () => utcDaysBetween('2026-1-31', '2026-02-01'), 'from'],
    ['a non-existent to', () => utcDaysBetween('2026-02-01', '2026-02-30'), 'to'],
    ['a date-time as day', () => endOfUtcDay('2026-01-31T00:00:00Z'), 'day'],
    ['a non-existent day', () => endOfUtcDay('2026-13-01'), 'day'],
    ['a non-finite instant', () => utcDayOf(Number.POSITIVE_INFINITY), 'ms'],
  ])('rejects %s, naming the parameter', (_, fn, path) => {
    expect(validationPathOf(fn)).toBe(path);
  });

  it('says what to write instead', () => {
    expect(() => utcDaysBetween('yesterday', '2026-01-31')).toThrow(
      'from=yesterday is not a UTC day; use YYYY-MM-DD such as 2026-01-31',
    );
  });
});
