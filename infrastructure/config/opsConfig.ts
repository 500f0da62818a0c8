import { z } from 'zod';

const wholeNumber = (min: number, max: number) => {
  const allowed = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .refine((s) => /^\d+$/.test(s.trim()), allowed)
    .transform((s) => Number(s))
    .pipe(z.number().min(min, allowed).max(max, allowed));
};

/**
 * Configuration of the operations endpoints: zod fields merged into the one
 * config schema.
 */
export const opsConfigShape = {
  /**
   * Every process serves /healthz, /readyz and /metrics on this port when it is set (the
   * collector and the API on PORT as well); 0 picks a free port (logged).
   */
  JOURNEY_OPS_PORT: wholeNumber(0, 65535).optional(),
  /** /readyz answers 503 while a projection this process serves is more events behind than this */
  JOURNEY_READY_MAX_LAG_EVENTS: wholeNumber(0, 1_000_000).default(1000),
};
