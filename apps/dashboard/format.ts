/** Every time on the dashboard is UTC, like the funnel's days, so a number never shifts with the viewer's zone. */
const dateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const time = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const day = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const shortDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

export const formatDateTime = (iso: string): string => `${dateTime.format(new Date(iso))} UTC`;
export const formatTime = (iso: string): string => time.format(new Date(iso));
/** `2026-03-10` → `Tue, 10 Mar 2026` */
export const formatDay = (date: string): string => day.format(new Date(`${date}T00:00:00Z`));
/** `2026-03-10` → `10 Mar` */
export const formatShortDay = (date: string): string => shortDay.format(new Date(`${date}T00:00:00Z`));
export const formatCount = (n: number): string => n.toLocaleString('en-GB');

/** `YYYY-MM-DD` of an instant, in UTC */
export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const endOfDay = (date: string): string => `${date}T23:59:59.999Z`;
export const addDays = (date: string, days: number): string =>
  utcDate(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000);

/** `api.request` → `api.request`; `DeploymentStarted` → `Deployment started` */
export const humanType = (type: string): string =>
  type.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/ ([A-Z])/g, (_, c: string) => ` ${c.toLowerCase()}`);

export const relativeAge = (iso: string, now: number): string => {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
};

/** a session's length: seconds under a minute, then minutes, then hours and minutes */
export const formatDuration = (ms: number): string => {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.floor(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
};
