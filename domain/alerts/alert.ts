import { z } from 'zod';

/**
 * An alert: what Slack is told, keyed deterministically so that retries, restarts and
 * rebuilds raise the same key and the outbox sends it once. A follow-up (`parentKey`) is a
 * reply in its parent's thread.
 */
export const alertKinds = ['signup', 'deploy-slow', 'deploy-failed', 'error'] as const;
export type AlertKind = (typeof alertKinds)[number];

export const alertContentSchema = z.object({
  headline: z.string(),
  /** label → value, in display order */
  facts: z.array(z.tuple([z.string(), z.string()])),
});
export type AlertContent = z.infer<typeof alertContentSchema>;

export type AlertDraft = {
  readonly key: string;
  readonly kind: AlertKind;
  readonly userId: string;
  /** event time of what raised it, ISO-8601 UTC */
  readonly occurredAt: string;
  /** the thread this is a reply in; absent for a top-level alert */
  readonly parentKey?: string;
  readonly content: AlertContent;
};

/** What the rules need to know; the alerts config turns the environment into this. */
export type AlertRules = {
  readonly slowDeploymentMs: number;
  readonly errorWindowMs: number;
  /** events older than this at processing time raise nothing (imports, replays) */
  readonly maxAgeMs: number;
  /** an ErrorEncountered with a status at or above this alerts */
  readonly errorMinStatus: number;
  /** error codes that alert: 'any', or a list */
  readonly errorCodes: 'any' | readonly string[];
};

export const defaultAlertRules: AlertRules = {
  slowDeploymentMs: 10 * 60_000,
  errorWindowMs: 30 * 60_000,
  maxAgeMs: 60 * 60_000,
  errorMinStatus: 500,
  errorCodes: 'any',
};

/** An event raises alerts only while it is live: not older than `maxAgeMs` at `now`. */
export const isLive = (occurredAt: string, now: number, rules: AlertRules): boolean =>
  now - Date.parse(occurredAt) <= rules.maxAgeMs;
