import { z } from 'zod';

const allowed = 'must be a whole number of days from 1 to 3650';

/** Configuration of the live event explorer: zod fields merged into the one config schema. */
export const explorerConfigShape = {
  /** how long the raw-event index keeps an event, by its receivedAt; older rows are pruned hourly */
  JOURNEY_RAW_RETENTION_DAYS: z
    .string()
    .default('30')
    .refine((s) => /^\d+$/.test(s.trim()), allowed)
    .transform((s) => Number(s))
    .pipe(z.number().min(1, allowed).max(3650, allowed)),
};
