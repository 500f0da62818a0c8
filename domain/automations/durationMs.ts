const EXACT =
  /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000] as const;

/**
 * Milliseconds of an ISO 8601 duration the automations schema accepted (weeks, days, hours,
 * minutes, seconds; a day is 24 hours, as event time is UTC).
 */
export const durationMs = (duration: string): number => {
  const match = EXACT.exec(duration);
  if (!match) throw new Error(`${duration} is not a duration of weeks, days, hours, minutes or seconds`);
  return UNIT_MS.reduce((sum, unit, i) => sum + Number((match[i + 1] ?? '0').replace(',', '.')) * unit, 0);
};
