import { z } from 'zod';

/**
 * Where the read models live: unset keeps them in SQLite files under JOURNEY_DATA_DIR; a
 * PostgreSQL URL puts them in one database every replica, analyst and Grafana can reach.
 */
export const databaseConfigShape = {
  JOURNEY_DATABASE_URL: z
    .string()
    .refine(
      (url) => /^postgres(ql)?:\/\//.test(url) && URL.canParse(url),
      'must be a PostgreSQL URL such as postgres://journey:secret@db.example.com:5432/journey',
    )
    .optional(),
  /** connections each process may hold open at once */
  JOURNEY_DATABASE_POOL_SIZE: z
    .string()
    .default('10')
    .refine(
      (s) => /^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 1000,
      'must be a whole number from 1 to 1000',
    )
    .transform((s) => Number(s)),
};
