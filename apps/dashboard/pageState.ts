import { addDays, utcDate } from './format.ts';

/** the live events page's filters, as GET /api/raw-events takes them */
export const liveFilterNames = ['userId', 'anonymousId', 'type', 'event', 'status'] as const;
export type LiveFilter = Partial<Record<(typeof liveFilterNames)[number], string>>;

/** What the page shows, kept in the URL fragment so a view can be bookmarked or shared (never the token). */
export type PageState = { from: string; to: string; asOf: string; user?: string; view?: 'live'; live?: LiveFilter };

/** the fragment's name of a live filter: `live.userId` and so on */
const liveParam = (name: string): string => `live.${name}`;

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
  const live: LiveFilter = {};
  for (const name of liveFilterNames) {
    const value = params.get(liveParam(name));
    if (value !== null && value !== '') live[name] = value;
  }
  return {
    from,
    to,
    asOf,
    ...(user === undefined || user === '' ? {} : { user }),
    ...(params.get('view') === 'live' ? { view: 'live' as const } : {}),
    ...(Object.keys(live).length === 0 ? {} : { live }),
  };
};

export const fragmentOf = (state: PageState): string => {
  const params = new URLSearchParams({ from: state.from, to: state.to, asOf: state.asOf });
  if (state.user !== undefined) params.set('user', state.user);
  if (state.view !== undefined) params.set('view', state.view);
  for (const name of liveFilterNames) {
    const value = state.live?.[name];
    if (value !== undefined && value !== '') params.set(liveParam(name), value);
  }
  return `#${params.toString()}`;
};
