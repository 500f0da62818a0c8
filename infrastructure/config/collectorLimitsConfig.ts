import { z } from 'zod';

const whole = (fallback: string, min: number, max: number, unit: string) => {
  const allowed = `must be a whole number from ${min} to ${max}${unit}`;
  return z
    .string()
    .default(fallback)
    .refine((s) => /^\d+$/.test(s.trim()), allowed)
    .transform((s) => Number(s))
    .pipe(z.number().min(min, allowed).max(max, allowed));
};

/**
 * Limits that keep one client from hurting the others: zod fields merged into the
 * one config schema. Body size (500 KB), events per request (2,500) and bytes per event
 * (32 KB) are Segment's and fixed; these are the ones an operator tunes.
 */
export const collectorLimitsConfigShape = {
  /** requests a minute per write key (unauthenticated requests count per client IP); 0 = no limit */
  JOURNEY_RATE_LIMIT_PER_MINUTE: whole('60000', 0, 100_000_000, ' requests a minute (0 turns the limit off)'),
  /**
   * collector processes behind one entry point: each allows its share of the rate limit, so the
   * replicas together allow the configured limit (docs/operations/distributed.md)
   */
  JOURNEY_COLLECTOR_REPLICAS: whole('1', 1, 1_000, ' collector processes'),
  /** a request's headers and body must have arrived by then, or the server answers 408 and closes */
  JOURNEY_REQUEST_TIMEOUT_MS: whole('30000', 100, 600_000, ' milliseconds'),
  /** a socket that sends nothing for this long is closed */
  JOURNEY_IDLE_TIMEOUT_MS: whole('60000', 100, 3_600_000, ' milliseconds'),
};
