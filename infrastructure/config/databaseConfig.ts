import { z } from 'zod';

/**
 * The host:port part of a URL that may not parse, to name it in an error: what follows the
 * last `@`, so never a user or password; without an `@` nothing, as a colon there may
 * separate a user from a password.
 */
const writtenHost = (url: string): string | undefined => {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const at = rest.lastIndexOf('@');
  return at < 0 ? undefined : rest.slice(at + 1).split(/[/?#]/)[0];
};

/**
 * Where the read models live: unset keeps them in SQLite files under JOURNEY_DATA_DIR; a
 * PostgreSQL URL puts them in one database every replica, analyst and Grafana can reach.
 */
export const databaseConfigShape = {
  JOURNEY_DATABASE_URL: z
    .string()
    .refine((url) => /^postgres(ql)?:\/\//.test(url) && URL.canParse(url), {
      error: (issue) => {
        const host = typeof issue.input === 'string' ? writtenHost(issue.input) : undefined;
        return `must be a PostgreSQL URL such as postgres://journey:secret@db.example.com:5432/journey${host === undefined ? '' : ` (the host and port given: ${host})`}; fix it, or unset it to keep the read models in SQLite`;
      },
    })
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
  /**
   * how long a singleton role's lease (alerter, slow-deployment timer, …) lasts unrenewed: a
   * standby takes over at most about this long after the holder died
   */
  JOURNEY_LEASE_TTL_MS: z
    .string()
    .default('5000')
    .refine(
      (s) => /^\d+$/.test(s.trim()) && Number(s) >= 500 && Number(s) <= 300_000,
      'must be a whole number of milliseconds from 500 to 300000',
    )
    .transform((s) => Number(s)),
};
