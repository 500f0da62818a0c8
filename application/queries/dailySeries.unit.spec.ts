import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../domain/errors/journeyError.ts';
import { DailySeries } from './dailySeries.ts';

const series = new DailySeries(
  {
    signupsByDay: async () => [
      { date: '2026-03-01', count: 2 },
      { date: '2026-03-03', count: 1 },
    ],
  },
  {
    countAlertsByDay: async () => [
      { date: '2026-03-02', kind: 'error', count: 2 },
      { date: '2026-03-02', kind: 'signup', count: 1 },
    ],
  },
);

describe('DailySeries', () => {
  it('gives every day of the range, days without sign-ups as 0, with the day start as time', async () => {
    expect(await series.signups('2026-03-01', '2026-03-03')).toEqual([
      { date: '2026-03-01', time: '2026-03-01T00:00:00.000Z', signups: 2 },
      { date: '2026-03-02', time: '2026-03-02T00:00:00.000Z', signups: 0 },
      { date: '2026-03-03', time: '2026-03-03T00:00:00.000Z', signups: 1 },
    ]);
  });

  it('gives alerts per day by kind with a total, every kind named', async () => {
    expect(await series.alertsRaised('2026-03-02', '2026-03-03')).toEqual([
      {
        date: '2026-03-02',
        time: '2026-03-02T00:00:00.000Z',
        total: 3,
        signup: 1,
        'deploy-slow': 0,
        'deploy-failed': 0,
        error: 2,
      },
      {
        date: '2026-03-03',
        time: '2026-03-03T00:00:00.000Z',
        total: 0,
        signup: 0,
        'deploy-slow': 0,
        'deploy-failed': 0,
        error: 0,
      },
    ]);
  });

  it('refuses a range whose start is after its end, as the funnel does', async () => {
    const error = await series.signups('2026-03-05', '2026-03-01').catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
  });
});
