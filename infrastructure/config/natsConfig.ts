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

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** a duration such as 90s, 30m, 24h or 7d, in milliseconds */
const duration = (fallback: string, maxDays: number) => {
  const allowed = `must be a duration such as 30m, 24h or 7d, at most ${maxDays}d`;
  return z
    .string()
    .default(fallback)
    .refine((s) => /^\d+[smhd]$/.test(s.trim()), allowed)
    .transform((s) => Number(s.trim().slice(0, -1)) * UNIT_MS[s.trim().slice(-1) as keyof typeof UNIT_MS])
    .pipe(
      z
        .number()
        .min(1_000, allowed)
        .max(maxDays * UNIT_MS.d, allowed),
    );
};

/**
 * Configuration of the NATS JetStream raw log: zod fields merged into the one
 * config schema. Without NATS_URL the embedded SQLite raw log is used.
 */
export const natsConfigShape = {
  /** e.g. nats://127.0.0.1:4222, or several comma-separated for a cluster */
  NATS_URL: z
    .string()
    .refine(
      (s) => s.split(',').every((url) => /^(nats|tls):\/\/\S+$/.test(url.trim())),
      'must be a NATS URL such as nats://127.0.0.1:4222, or several separated by commas for a cluster',
    )
    .optional(),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(1).optional(),
  /** path of a .creds file (JWT + nkey seed), as `nats` CLI contexts use */
  NATS_CREDS: z.string().min(1).optional(),
  /** path of a PEM file with the CA that signed the server's certificate */
  NATS_TLS_CA: z.string().min(1).optional(),
  /** how long a publish waits for the server's acknowledgement before the collector answers 503 */
  NATS_PUBLISH_TIMEOUT_MS: whole('5000', 100, 60_000, ' milliseconds'),
  /** fixed once events flow: changing it moves partition keys to other partitions (see docs/operations/nats.md) */
  JOURNEY_RAW_PARTITIONS: whole('8', 1, 1024, ' partitions'),
  /** how long a messageId is remembered for duplicate suppression */
  JOURNEY_RAW_DUPLICATE_WINDOW: duration('24h', 30),
  /** raw events older than this are removed from the stream, consumed or not */
  JOURNEY_RAW_MAX_AGE: duration('7d', 3650),
  /** the stream's size limit in bytes (oldest removed first); 0 means no limit */
  JOURNEY_RAW_MAX_BYTES: whole('0', 0, Number.MAX_SAFE_INTEGER, ' bytes'),
  /** copies JetStream keeps of RAW and RAW_REJECTED (their consumers follow); 3 in a three-node cluster */
  JOURNEY_RAW_REPLICAS: whole('1', 1, 5, ' replicas'),
};
