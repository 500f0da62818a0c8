import { z } from 'zod';
import { DEFAULT_SESSION_TIMEOUT_MINUTES } from '../../domain/sessions/session.ts';

const allowed = 'must be a whole number of minutes from 1 to 1440';

/** Configuration of sessions: zod fields merged into the one config schema. */
export const sessionsConfigShape = {
  /**
   * a gap between two of a user's events longer than this starts a new session; changing it
   * needs `journey projections rebuild sessions`
   */
  JOURNEY_SESSION_TIMEOUT_MINUTES: z
    .string()
    .default(String(DEFAULT_SESSION_TIMEOUT_MINUTES))
    .refine((s) => /^\d+$/.test(s.trim()), allowed)
    .transform((s) => Number(s))
    .pipe(z.number().min(1, allowed).max(1440, allowed)),
};
