import { z } from 'zod';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import { isJourneyEventType, type JourneyEventType } from '../../domain/journey/journeyEvent.ts';
import { logFormats } from '../logging/logFormat.ts';
import { alertsConfigShape } from './alertsConfig.ts';
import { automationsConfigShape } from './automationsConfig.ts';
import { browserSdkConfigShape } from './browserSdkConfig.ts';
import { collectorLimitsConfigShape } from './collectorLimitsConfig.ts';
import { databaseConfigShape } from './databaseConfig.ts';
import { eventStoreConfigShape } from './eventStoreConfig.ts';
import { explorerConfigShape } from './explorerConfig.ts';
import { natsConfigShape } from './natsConfig.ts';
import { opsConfigShape } from './opsConfig.ts';
import { reportConfigShape } from './reportConfig.ts';
import { sessionsConfigShape } from './sessionsConfig.ts';

const DEFAULT_MEANINGFUL = 'ProjectCreated,DeploymentStarted,DeploymentCompleted';

/** A whole number from the environment, with one message that says what is allowed. */
const wholeNumber = (fallback: string, min: number, max: number, unit = '') => {
  const allowed = `must be a whole number from ${min} to ${max}${unit}`;
  return z
    .string()
    .default(fallback)
    .refine((s) => /^\d+$/.test(s.trim()), allowed)
    .transform((s) => Number(s))
    .pipe(z.number().min(min, allowed).max(max, allowed));
};

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== ''),
);

/**
 * Journey's configuration: one zod schema over the environment. Every app reads it the same
 * way, and a bad value stops start-up with the variable's name and what is allowed.
 */
export const configSchema = z.object({
  ...alertsConfigShape,
  ...automationsConfigShape,
  ...browserSdkConfigShape,
  ...collectorLimitsConfigShape,
  ...databaseConfigShape,
  ...eventStoreConfigShape,
  ...explorerConfigShape,
  ...natsConfigShape,
  ...opsConfigShape,
  ...reportConfigShape,
  ...sessionsConfigShape,
  PORT: wholeNumber('8080', 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  JOURNEY_DATA_DIR: z.string().min(1).default('./data'),
  /** `secret` or `name:secret` entries, comma-separated; generated on first start when unset */
  JOURNEY_WRITE_KEYS: list.optional(),
  JOURNEY_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  JOURNEY_RULES: z.string().min(1).optional(),
  JOURNEY_ACTIVE_WINDOW_DAYS: wholeNumber('15', 1, 365, ' days'),
  JOURNEY_MEANINGFUL_EVENTS: z
    .string()
    .default(DEFAULT_MEANINGFUL)
    .pipe(list)
    .refine((types) => types.length > 0, 'must name at least one journey event type')
    .refine((types) => types.every(isJourneyEventType), 'must be journey event types such as ProjectCreated')
    .transform((types) => types as JourneyEventType[]),
  JOURNEY_SQLITE_POLL_MS: wholeNumber('100', 5, 10_000, ' milliseconds'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** unset: readable lines when stdout is a terminal, JSON lines otherwise */
  LOG_FORMAT: z
    .enum(logFormats, { error: 'must be json or pretty (unset: pretty on a terminal, json otherwise)' })
    .optional(),
});

export type JourneyConfig = z.infer<typeof configSchema>;

/** variables whose values may hold secrets, never echoed in an error */
const isSecret = (name: string): boolean => /TOKEN|KEYS|PASSWORD|CONNECTION_STRING|SECRET|DATABASE_URL/.test(name);

const invalidConfigMessage = (lines: readonly string[]): string =>
  `Journey cannot start: the configuration is invalid.\n${lines.join('\n')}\nFix the variable(s) above or unset them to use the defaults (see docs/configuration.md).`;

export const loadConfig = (env: Record<string, string | undefined> = process.env): JourneyConfig => {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const value = env[name];
    return `  ${name}${value === undefined ? '' : `=${isSecret(name) ? '(hidden)' : value}`}: ${issue.message}`;
  });
  throw new ConfigError(invalidConfigMessage(lines));
};
