import { addDays, utcDate } from './format.ts';

/** What the page shows, kept in the URL fragment so a view can be bookmarked or shared (never the token). */
export type PageState = { from: string; to: string; asOf: string; user?: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (value: string | null): value is string =>
  value !== null && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/** the last 30 UTC days by default, stage counts as of the end of today */
export const pageStateFromFragment = (hash: string, now: number): PageState => {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const today = utcDate(now);
  const to = validDay(params.get('to')) ? (params.get('to') as string) : today;
  const from = validDay(params.get('from')) ? (params.get('from') as string) : addDays(to, -29);
  const asOf = validDay(params.get('asOf')) ? (params.get('asOf') as string) : to;
  const user = params.get('user') ?? undefined;
  return { from, to, asOf, ...(user === undefined || user === '' ? {} : { user }) };
};

export const fragmentOf = (state: PageState): string => {
  const params = new URLSearchParams({ from: state.from, to: state.to, asOf: state.asOf });
  if (state.user !== undefined) params.set('user', state.user);
  return `#${params.toString()}`;
};
