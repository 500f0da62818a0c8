import { z } from 'zod';
import type { AlertKind, AlertRules } from '../../domain/alerts/alert.ts';

const minutes = (fallback: string, max: number) => {
  const allowed = `must be a whole number of minutes from 1 to ${max}`;
  return z
    .string()
    .default(fallback)
    .refine((s) => /^\d+$/.test(s.trim()), allowed)
    .transform((s) => Number(s))
    .pipe(z.number().min(1, allowed).max(max, allowed));
};

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://journey.example.com' });
const channel = z
  .string()
  .regex(
    /^(#[a-z0-9][a-z0-9._-]*|[CGD][A-Z0-9]{2,})$/,
    'must be a channel name such as #journey-alerts or an id such as C0123ABC',
  );

/**
 * Configuration of Slack alerts: zod fields merged into the one config schema.
 */
export const alertsConfigShape = {
  /** no token: the alerter logs each alert instead and marks it 'logged' */
  SLACK_BOT_TOKEN: z.string().startsWith('xox', 'must be a Slack token (xoxb-…)').optional(),
  SLACK_ALERT_CHANNEL: channel.default('#journey-alerts'),
  SLACK_CHANNEL_SIGNUP: channel.optional(),
  SLACK_CHANNEL_DEPLOY: channel.optional(),
  SLACK_CHANNEL_ERROR: channel.optional(),
  /** the WebClient's slackApiUrl (a proxy, or a fake Slack in tests), ending in /api/ */
  SLACK_API_URL: httpUrl.optional(),
  /** the base of links in alerts; default http://HOST:PORT */
  JOURNEY_PUBLIC_URL: httpUrl.optional(),
  JOURNEY_DEPLOY_SLOW_MINUTES: minutes('10', 1440),
  JOURNEY_ERROR_ALERT_WINDOW_MINUTES: minutes('30', 1440),
  JOURNEY_ALERT_MAX_AGE_MINUTES: minutes('60', 10_080),
  /** an ErrorEncountered with this HTTP status or above alerts */
  JOURNEY_ERROR_ALERT_MIN_STATUS: z
    .string()
    .default('500')
    .refine((s) => /^\d{3}$/.test(s.trim()), 'must be an HTTP status such as 500')
    .transform(Number),
  /** `*` (any errorCode alerts), `none`, or a comma-separated list of error codes */
  JOURNEY_ERROR_ALERT_CODES: z
    .string()
    .default('*')
    .transform((s): '*' | string[] =>
      s.trim() === '*'
        ? '*'
        : s.trim() === 'none'
          ? []
          : s
              .split(',')
              .map((x) => x.trim())
              .filter((x) => x !== ''),
    ),
};

type AlertsConfig = z.infer<z.ZodObject<typeof alertsConfigShape>>;

export const alertRulesOf = (config: AlertsConfig): AlertRules => ({
  slowDeploymentMs: config.JOURNEY_DEPLOY_SLOW_MINUTES * 60_000,
  errorWindowMs: config.JOURNEY_ERROR_ALERT_WINDOW_MINUTES * 60_000,
  maxAgeMs: config.JOURNEY_ALERT_MAX_AGE_MINUTES * 60_000,
  errorMinStatus: config.JOURNEY_ERROR_ALERT_MIN_STATUS,
  errorCodes: config.JOURNEY_ERROR_ALERT_CODES === '*' ? 'any' : config.JOURNEY_ERROR_ALERT_CODES,
});

export const alertChannelOf =
  (config: AlertsConfig) =>
  (kind: AlertKind): string => {
    switch (kind) {
      case 'signup':
        return config.SLACK_CHANNEL_SIGNUP ?? config.SLACK_ALERT_CHANNEL;
      case 'deploy-slow':
      case 'deploy-failed':
        return config.SLACK_CHANNEL_DEPLOY ?? config.SLACK_ALERT_CHANNEL;
      case 'error':
        return config.SLACK_CHANNEL_ERROR ?? config.SLACK_ALERT_CHANNEL;
      default: {
        const unknown: never = kind;
        return unknown;
      }
    }
  };
