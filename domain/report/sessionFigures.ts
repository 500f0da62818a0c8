/** `1 session`, `2 sessions`, `1,204 sessions` */
export const sessionCountText = (count: number): string =>
  `${count.toLocaleString('en-US')} session${count === 1 ? '' : 's'}`;

/**
 * A total session time as the report shows it, cut down to its unit (never rounded up past what was
 * spent): `0 s`, `45 s`, `12 min`, `3 h 05 min`.
 */
export const sessionTimeText = (ms: number): string => {
  if (ms < 60_000) return `${Math.floor(Math.max(0, ms) / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60).toLocaleString('en-US')} h ${String(minutes % 60).padStart(2, '0')} min`;
};
