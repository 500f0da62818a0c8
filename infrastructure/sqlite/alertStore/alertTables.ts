import type { AlertStatus, StoredAlert } from '../../../application/ports/alertStore/alertStore.ts';
import { type AlertKind, alertContentSchema } from '../../../domain/alerts/alert.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { ensureIndexes, type SecondaryIndex } from '../secondaryIndexes.ts';

/**
 * The alert read model (deployments, error groups: projection state a rebuild drops) and
 * the outbox (`alerts`: one row per key, kept across rebuilds so no key is sent twice).
 * Instants are `toISOString` text so they compare as time.
 */
export type AlertStateTableNames = { readonly deployments: string; readonly errorGroups: string };

/** the live state tables; a rebuild writes the same tables under other names */
export const LIVE_ALERT_STATE_TABLES: AlertStateTableNames = {
  deployments: 'alert_deployments',
  errorGroups: 'alert_error_groups',
};

/** the state tables' secondary index; a rebuild creates it last */
export const alertStateIndexes = (t: AlertStateTableNames): readonly SecondaryIndex[] => [
  { name: 'alert_deployments_running', table: t.deployments, columns: 'started_at', where: 'finished_outcome IS NULL' },
];

const schemaSql = (t: AlertStateTableNames): string => `
CREATE TABLE IF NOT EXISTS ${t.deployments} (
  deployment_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  project_id TEXT,
  started_at TEXT NOT NULL,
  finished_outcome TEXT,
  finished_at TEXT
);
CREATE TABLE IF NOT EXISTS ${t.errorGroups} (
  user_id TEXT NOT NULL,
  code TEXT NOT NULL,
  window_start TEXT NOT NULL,
  count INTEGER NOT NULL,
  alert_key TEXT NOT NULL,
  PRIMARY KEY (user_id, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alerts (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  user_id TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  parent_key TEXT,
  content TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  channel TEXT,
  ts TEXT,
  delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS alerts_pending ON alerts (seq) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS alert_checkpoints (
  projection TEXT PRIMARY KEY,
  position TEXT NOT NULL
);`;

export type AlertRow = {
  readonly key: string;
  readonly kind: string;
  readonly user_id: string;
  readonly occurred_at: string;
  readonly parent_key: string | null;
  readonly content: string;
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

const ALERT_COLUMNS =
  'key, kind, user_id, occurred_at, parent_key, content, raised_at, status, attempts, next_attempt_at, last_error, channel, ts, delivered_at';
const DEPLOYMENT_COLUMNS = 'deployment_id, user_id, project_id, started_at, finished_outcome, finished_at';

export const prepareAlertStatements = (
  db: SqliteDatabase,
  t: AlertStateTableNames = LIVE_ALERT_STATE_TABLES,
  options: { readonly deferIndexes?: boolean } = {},
) => {
  db.exec(schemaSql(t));
  if (!options.deferIndexes) ensureIndexes(db, alertStateIndexes(t));
  return {
    getDeployment: db.prepare<[string], DeploymentRow>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM ${t.deployments} WHERE deployment_id = ?`,
    ),
    putDeployment: db.prepare<DeploymentRow>(
      `INSERT INTO ${t.deployments} (${DEPLOYMENT_COLUMNS}) VALUES (@deployment_id, @user_id, @project_id, @started_at,
        @finished_outcome, @finished_at)
       ON CONFLICT (deployment_id) DO UPDATE SET user_id = excluded.user_id, project_id = excluded.project_id,
        started_at = excluded.started_at, finished_outcome = excluded.finished_outcome, finished_at = excluded.finished_at`,
    ),
    dueDeployments: db.prepare<[from: string, before: string], DeploymentRow>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM ${t.deployments} d
       WHERE finished_outcome IS NULL AND started_at >= ? AND started_at < ?
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.key = 'deploy-slow:' || d.deployment_id)
       ORDER BY started_at`,
    ),
    getErrorGroup: db.prepare<
      [string, string],
      { user_id: string; code: string; window_start: string; count: number; alert_key: string }
    >(`SELECT user_id, code, window_start, count, alert_key FROM ${t.errorGroups} WHERE user_id = ? AND code = ?`),
    putErrorGroup: db.prepare<[string, string, string, number, string]>(
      `INSERT INTO ${t.errorGroups} (user_id, code, window_start, count, alert_key) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, code) DO UPDATE SET window_start = excluded.window_start, count = excluded.count,
        alert_key = excluded.alert_key`,
    ),
    hasAlert: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM alerts WHERE key = ?'),
    raise: db.prepare<[string, string, string, string, string | null, string, string, string]>(
      `INSERT INTO alerts (key, kind, user_id, occurred_at, parent_key, content, raised_at, status, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (key) DO NOTHING`,
    ),
    duePage: db.prepare<[now: string, after: number, limit: number], AlertRow & { readonly seq: number }>(
      `SELECT seq, ${ALERT_COLUMNS} FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? AND seq > ?
       ORDER BY seq LIMIT ?`,
    ),
    get: db.prepare<[string], AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE key = ?`),
    pending: db.prepare<[now: string, limit: number], AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
    ),
    list: db.prepare<{ status: string | null; kind: string | null; limit: number }, AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE (@status IS NULL OR status = @status) AND (@kind IS NULL OR kind = @kind)
       ORDER BY seq DESC LIMIT @limit`,
    ),
    beginAttempt: db.prepare<[string], { attempts: number }>(
      'UPDATE alerts SET attempts = attempts + 1 WHERE key = ? RETURNING attempts',
    ),
    retryLater: db.prepare<[reason: string, next: string, key: string]>(
      'UPDATE alerts SET last_error = ?, next_attempt_at = ? WHERE key = ?',
    ),
    markPosted: db.prepare<[channel: string, ts: string, at: string, key: string]>(
      "UPDATE alerts SET status = 'posted', channel = ?, ts = ?, delivered_at = ? WHERE key = ?",
    ),
    markDone: db.prepare<[status: string, reason: string | null, at: string, key: string]>(
      'UPDATE alerts SET status = ?, last_error = coalesce(?, last_error), delivered_at = ? WHERE key = ?',
    ),
    checkpoint: db.prepare<[string], { position: string }>(
      'SELECT position FROM alert_checkpoints WHERE projection = ?',
    ),
    storeCheckpoint: db.prepare<[string, string]>(
      `INSERT INTO alert_checkpoints (projection, position) VALUES (?, ?)
       ON CONFLICT (projection) DO UPDATE SET position = excluded.position`,
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM alert_checkpoints WHERE projection = ?'),
    clearState: () => db.exec(`DELETE FROM ${t.deployments}; DELETE FROM ${t.errorGroups};`),
    stateIsEmpty: () =>
      [t.deployments, t.errorGroups].every((table) => db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() === undefined),
  };
};

export type AlertStatements = ReturnType<typeof prepareAlertStatements>;

const opt = <K extends string, V>(key: K, value: V | null): { [P in K]?: V } =>
  (value === null ? {} : { [key]: value }) as { [P in K]?: V };

export const toStoredAlert = (row: AlertRow): StoredAlert => ({
  key: row.key,
  kind: row.kind as AlertKind,
  userId: row.user_id,
  occurredAt: row.occurred_at,
  ...opt('parentKey', row.parent_key),
  content: alertContentSchema.parse(JSON.parse(row.content)),
  raisedAt: row.raised_at,
  status: row.status as AlertStatus,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  ...opt('lastError', row.last_error),
  ...opt('channel', row.channel),
  ...opt('ts', row.ts),
  ...opt('deliveredAt', row.delivered_at),
});
