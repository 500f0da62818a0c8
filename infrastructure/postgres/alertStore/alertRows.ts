import type { AlertStatus, StoredAlert } from '../../../application/ports/alertStore/alertStore.ts';
import { type AlertKind, alertContentSchema } from '../../../domain/alerts/alert.ts';
import type { ErrorGroup, TrackedDeployment } from '../../../domain/alerts/alertRules.ts';
import { canonicalInstant } from '../../polling/instants.ts';

/** Rows of the alert tables (migration 003) and the values they hold, read back as SQLite does. */
export const ALERT_COLUMNS =
  'key, kind, user_id, occurred_at, parent_key, content, raised_at, status, attempts, next_attempt_at, last_error, channel, ts, delivered_at';
export const DEPLOYMENT_COLUMNS = 'deployment_id, user_id, project_id, started_at, finished_outcome, finished_at';
export const ERROR_GROUP_COLUMNS = 'user_id, code, window_start, count, alert_key';

export type AlertRow = {
  readonly key: string;
  readonly kind: string;
  readonly user_id: string;
  readonly occurred_at: string;
  readonly parent_key: string | null;
  readonly content: unknown;
  readonly raised_at: string;
  readonly status: string;
  readonly attempts: number;
  readonly next_attempt_at: string;
  readonly last_error: string | null;
  readonly channel: string | null;
  readonly ts: string | null;
  readonly delivered_at: string | null;
};

export type DeploymentRow = {
  readonly deployment_id: string;
  readonly user_id: string;
  readonly project_id: string | null;
  readonly started_at: string;
  readonly finished_outcome: 'completed' | 'failed' | null;
  readonly finished_at: string | null;
};

export type ErrorGroupRow = {
  readonly user_id: string;
  readonly code: string;
  readonly window_start: string;
  readonly count: number;
  readonly alert_key: string;
};

export const toDeployment = (row: DeploymentRow): TrackedDeployment => ({
  deploymentId: row.deployment_id,
  userId: row.user_id,
  ...(row.project_id === null ? {} : { projectId: row.project_id }),
  startedAt: row.started_at,
  ...(row.finished_outcome === null || row.finished_at === null
    ? {}
    : { finished: { outcome: row.finished_outcome, at: row.finished_at } }),
});

export const deploymentRowOf = (d: TrackedDeployment): DeploymentRow => ({
  deployment_id: d.deploymentId,
  user_id: d.userId,
  project_id: d.projectId ?? null,
  started_at: canonicalInstant(d.startedAt, 'startedAt'),
  finished_outcome: d.finished?.outcome ?? null,
  finished_at: d.finished ? canonicalInstant(d.finished.at, 'finishedAt') : null,
});

export const toErrorGroup = (row: ErrorGroupRow): ErrorGroup => ({
  userId: row.user_id,
  code: row.code,
  windowStart: row.window_start,
  count: row.count,
  alertKey: row.alert_key,
});

const opt = <K extends string, V>(key: K, value: V | null): { [P in K]?: V } =>
  (value === null ? {} : { [key]: value }) as { [P in K]?: V };

export const toStoredAlert = (row: AlertRow): StoredAlert => ({
  key: row.key,
  kind: row.kind as AlertKind,
  userId: row.user_id,
  occurredAt: row.occurred_at,
  ...opt('parentKey', row.parent_key),
  content: alertContentSchema.parse(row.content),
  raisedAt: row.raised_at,
  status: row.status as AlertStatus,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  ...opt('lastError', row.last_error),
  ...opt('channel', row.channel),
  ...opt('ts', row.ts),
  ...opt('deliveredAt', row.delivered_at),
});
