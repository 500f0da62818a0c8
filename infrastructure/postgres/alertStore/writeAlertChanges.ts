import type pg from 'pg';
import { deploymentRowOf } from './alertRows.ts';
import type { AlertChanges } from './recordingAlertWriter.ts';

/**
 * One statement, so a batch's writes cost one round trip whatever their number. The state and
 * checkpoint tables are in `schema` (a rebuild's shadow has its own); the outbox is always the live one.
 */
const writeAlertChangesSql = (schema: string): string => `
WITH deployments AS (
  INSERT INTO ${schema}.alert_deployments (deployment_id, user_id, project_id, started_at, finished_outcome, finished_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
  ON CONFLICT (deployment_id) DO UPDATE SET user_id = excluded.user_id, project_id = excluded.project_id,
    started_at = excluded.started_at, finished_outcome = excluded.finished_outcome, finished_at = excluded.finished_at
), error_groups AS (
  INSERT INTO ${schema}.alert_error_groups (user_id, code, window_start, count, alert_key)
  SELECT * FROM unnest($7::text[], $8::text[], $9::text[], $10::int[], $11::text[])
  ON CONFLICT (user_id, code) DO UPDATE SET window_start = excluded.window_start, count = excluded.count,
    alert_key = excluded.alert_key
), checkpoint AS (
  INSERT INTO ${schema}.alert_checkpoints (projection, position) SELECT $19::text, $20::text WHERE $19::text IS NOT NULL
  ON CONFLICT (projection) DO UPDATE SET position = excluded.position
), raised AS (
  INSERT INTO journey.alert_outbox (key, kind, user_id, occurred_at, parent_key, content, raised_at, status, next_attempt_at)
  SELECT key, kind, user_id, occurred_at, parent_key, content::jsonb, raised_at, 'pending', raised_at
  FROM unnest($12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
    WITH ORDINALITY AS a (key, kind, user_id, occurred_at, parent_key, content, raised_at, n)
  ORDER BY n
  ON CONFLICT (key) DO NOTHING
  RETURNING 1
)
SELECT count(*)::int AS raised,
  CASE WHEN count(*) > 0 AND $21::text IS NOT NULL THEN pg_notify($21::text, $22::text) END AS notified
FROM raised`;

/**
 * Stores what an alert transaction wrote, and the checkpoint when given, in the caller's
 * transaction; PostgreSQL tells the listeners in other processes at commit when alerts were new
 * (`notify`: channel and payload; none for a rebuild's shadow). Returns how many were.
 */
export const writeAlertChanges = async (
  client: pg.PoolClient,
  changes: AlertChanges,
  notify: { readonly channel: string; readonly payload: string } | undefined,
  checkpoint?: { readonly projection: string; readonly position: string },
  schema = 'journey',
): Promise<number> => {
  const deployments = changes.deployments.map(deploymentRowOf);
  const { errorGroups: groups, alerts } = changes;
  if (deployments.length + groups.length + alerts.length === 0 && !checkpoint) return 0;
  const { rows } = await client.query<{ raised: number }>(writeAlertChangesSql(schema), [
    deployments.map((d) => d.deployment_id),
    deployments.map((d) => d.user_id),
    deployments.map((d) => d.project_id),
    deployments.map((d) => d.started_at),
    deployments.map((d) => d.finished_outcome),
    deployments.map((d) => d.finished_at),
    groups.map((g) => g.userId),
    groups.map((g) => g.code),
    groups.map((g) => g.windowStart),
    groups.map((g) => g.count),
    groups.map((g) => g.alertKey),
    alerts.map((a) => a.key),
    alerts.map((a) => a.kind),
    alerts.map((a) => a.userId),
    alerts.map((a) => a.occurredAt),
    alerts.map((a) => a.parentKey ?? null),
    alerts.map((a) => JSON.stringify(a.content)),
    alerts.map((a) => a.raisedAt),
    checkpoint?.projection ?? null,
    checkpoint?.position ?? null,
    notify?.channel ?? null,
    notify?.payload ?? null,
  ]);
  return rows[0]?.raised ?? 0;
};
