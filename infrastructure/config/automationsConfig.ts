import { z } from 'zod';

const wholeNumber = (fallback: string, min: number, max: number, unit: string) => {
  const allowed = `must be a whole number from ${min} to ${max}${unit}`;
  return z
    .string()
    .default(fallback)
    .refine((s) => /^\d+$/.test(s.trim()), allowed)
    .transform((s) => Number(s))
    .pipe(z.number().min(min, allowed).max(max, allowed));
};

/** Configuration of automations (docs/automations.md): zod fields merged into the one config schema. */
export const automationsConfigShape = {
  /** a JSON automations file; unset: no automations */
  JOURNEY_AUTOMATIONS: z.string().min(1).optional(),
  /** nothing fires for a trigger older than this when it is seen, so history and rebuilds fire nothing */
  JOURNEY_AUTOMATION_MAX_AGE_MINUTES: wholeNumber('60', 1, 10_080, ' minutes'),
  /** attempts before a delivery is marked failed */
  JOURNEY_AUTOMATION_MAX_ATTEMPTS: wholeNumber('8', 1, 100, ' attempts'),
};
