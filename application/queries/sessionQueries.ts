import { ValidationError } from '../../domain/errors/journeyError.ts';
import type { Session } from '../../domain/sessions/session.ts';
import { utcDaysBetween } from '../../domain/stage/funnel.ts';
import type { SessionStore } from '../ports/sessionStore/sessionStore.ts';

export type SessionsDay = {
  readonly date: string;
  /** the day's first instant (the time field for Grafana) */
  readonly time: string;
  readonly sessions: number;
  readonly users: number;
  readonly medianDurationMs: number | null;
  readonly p90DurationMs: number | null;
  readonly bounceRate: number | null;
};

const instantOf = (value: string | undefined, parameter: string): number | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ValidationError(`${parameter}=${value} is not an ISO-8601 instant; use e.g. 2026-01-31T23:59:59Z`, [
      { path: parameter, message: 'must be an ISO-8601 date-time' },
    ]);
  return ms;
};

/** What the API asks of the sessions read model. */
export class SessionQueries {
  constructor(private readonly store: Pick<SessionStore, 'sessionsOf' | 'sessionsByDay'>) {}

  /** the user's sessions that started in [from, to], newest first; none for a user never seen */
  async userSessions(userId: string, from?: string, to?: string): Promise<{ userId: string; sessions: Session[] }> {
    const start = instantOf(from, 'from');
    const end = instantOf(to, 'to');
    if (start !== undefined && end !== undefined && start > end)
      throw new ValidationError(`from=${from} is after to=${to}; swap them`, [
        { path: 'from', message: 'must not be after to' },
      ]);
    const sessions = await this.store.sessionsOf(userId, {
      ...(start === undefined ? {} : { from: new Date(start).toISOString() }),
      ...(end === undefined ? {} : { to: new Date(end).toISOString() }),
    });
    return { userId, sessions };
  }

  /** every UTC day of the range (the funnel's rules: in order, at most 366 days), null figures on a day without sessions */
  async daily(from: string, to: string): Promise<SessionsDay[]> {
    const days = utcDaysBetween(from, to);
    const counted = new Map((await this.store.sessionsByDay(from, to)).map((d) => [d.date, d]));
    return days.map((date) => {
      const day = counted.get(date);
      return {
        date,
        time: `${date}T00:00:00.000Z`,
        sessions: day?.sessions ?? 0,
        users: day?.users ?? 0,
        medianDurationMs: day?.medianDurationMs ?? null,
        p90DurationMs: day?.p90DurationMs ?? null,
        bounceRate: day === undefined ? null : day.bounces / day.sessions,
      };
    });
  }
}
