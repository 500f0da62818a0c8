import type pg from 'pg';
import {
  DEPLOYMENT_COLUMNS,
  type DeploymentRow,
  ERROR_GROUP_COLUMNS,
  type ErrorGroupRow,
  toDeployment,
  toErrorGroup,
} from './alertRows.ts';
import type { AlertStateLoader } from './applyPrefetched.ts';
import { errorGroupKey, slowAlertKey } from './recordingAlertWriter.ts';

const SLOW_ALERTED =
  "EXISTS (SELECT 1 FROM journey.alert_outbox a WHERE a.key = 'deploy-slow:' || d.deployment_id) AS slow_alerted";

/**
 * Reads what an alert transaction asked for with one query per kind of row, inside its
 * transaction: the state from `schema` (a rebuild's shadow has its own), alerts from the one outbox.
 */
export const alertStateLoader =
  (client: pg.PoolClient, schema = 'journey'): AlertStateLoader =>
  async (wants, into) => {
    if (wants.deploymentIds.size > 0) {
      const ids = [...wants.deploymentIds];
      for (const id of ids) into.deployments.set(id, null);
      // with its slow alert: a finishing deployment asks for it next, and this saves a round
      const { rows } = await client.query<DeploymentRow & { slow_alerted: boolean }>(
        `SELECT ${DEPLOYMENT_COLUMNS}, ${SLOW_ALERTED} FROM ${schema}.alert_deployments d
         WHERE deployment_id = ANY($1::text[])`,
        [ids],
      );
      for (const row of rows) {
        into.deployments.set(row.deployment_id, toDeployment(row));
        into.alertKeys.set(slowAlertKey(row.deployment_id), row.slow_alerted);
      }
    }
    if (wants.errorGroups.size > 0) {
      const groups = [...wants.errorGroups.values()];
      for (const g of groups) into.errorGroups.set(errorGroupKey(g.userId, g.code), null);
      const { rows } = await client.query<ErrorGroupRow>(
        `SELECT ${ERROR_GROUP_COLUMNS} FROM ${schema}.alert_error_groups
         WHERE (user_id, code) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [groups.map((g) => g.userId), groups.map((g) => g.code)],
      );
      for (const row of rows) into.errorGroups.set(errorGroupKey(row.user_id, row.code), toErrorGroup(row));
    }
    if (wants.alertKeys.size > 0) {
      const keys = [...wants.alertKeys];
      for (const key of keys) into.alertKeys.set(key, false);
      const { rows } = await client.query<{ key: string }>(
        'SELECT key FROM journey.alert_outbox WHERE key = ANY($1::text[])',
        [keys],
      );
      for (const row of rows) into.alertKeys.set(row.key, true);
    }
    for (const [range, { from, before }] of wants.dueRanges) {
      // every running deployment in range, and whether it has its slow alert: the writer filters
      const { rows } = await client.query<DeploymentRow & { slow_alerted: boolean }>(
        `SELECT ${DEPLOYMENT_COLUMNS}, ${SLOW_ALERTED} FROM ${schema}.alert_deployments d
         WHERE finished_outcome IS NULL AND started_at >= $1 AND started_at < $2`,
        [from, before],
      );
      for (const row of rows) {
        into.deployments.set(row.deployment_id, toDeployment(row));
        into.alertKeys.set(slowAlertKey(row.deployment_id), row.slow_alerted);
      }
      into.dueRanges.set(
        range,
        rows.map((r) => r.deployment_id),
      );
    }
  };
