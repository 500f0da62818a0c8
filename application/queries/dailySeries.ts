import { type AlertKind, alertKinds } from '../../domain/alerts/alert.ts';
import { utcDaysBetween } from '../../domain/stage/funnel.ts';
import type { AlertStore } from '../ports/alertStore/alertStore.ts';
import type { ReadModelQueries } from '../ports/readModels/readModels.ts';

/** one day of a series: `time` is the day's first instant, which Grafana takes as the time field */
type Day = { readonly date: string; readonly time: string };
export type SignupsDay = Day & { readonly signups: number };
export type AlertsDay = Day & { readonly total: number } & Readonly<Record<AlertKind, number>>;

const dayOf = (date: string): Day => ({ date, time: `${date}T00:00:00.000Z` });

/**
 * Daily series for Grafana (Infinity data source) and the dashboard: one row per UTC day of
 * the range, days without anything included as 0, so a chart has no gaps to guess about.
 * The range rules (order, at most 366 days) are the funnel's (`utcDaysBetween`).
 */
export class DailySeries {
  constructor(
    private readonly readModels: Pick<ReadModelQueries, 'signupsByDay'>,
    private readonly alerts: Pick<AlertStore, 'countAlertsByDay'>,
  ) {}

  async signups(from: string, to: string): Promise<SignupsDay[]> {
    const days = utcDaysBetween(from, to);
    const counts = new Map((await this.readModels.signupsByDay(from, to)).map((d) => [d.date, d.count]));
    return days.map((date) => ({ ...dayOf(date), signups: counts.get(date) ?? 0 }));
  }

  async alertsRaised(from: string, to: string): Promise<AlertsDay[]> {
    const days = utcDaysBetween(from, to);
    const rows = await this.alerts.countAlertsByDay(from, to);
    return days.map((date) => {
      const byKind = Object.fromEntries(alertKinds.map((k) => [k, 0])) as Record<AlertKind, number>;
      for (const row of rows) if (row.date === date) byKind[row.kind] += row.count;
      const total = alertKinds.reduce((sum, k) => sum + byKind[k], 0);
      return { ...dayOf(date), total, ...byKind };
    });
  }
}
