import type { Migration } from './migration.ts';

/**
 * The alert read model (deployments, error groups: state a rebuild drops), its checkpoints and
 * the outbox (one row per key, kept across rebuilds). Instants are `toISOString` text in the
 * C collation, so they compare as time whatever the database's locale, as in SQLite.
 */
export const alertStoreMigration: Migration = {
  version: 3,
  name: 'alert store',
  sql: `
CREATE TABLE journey.alert_deployments (
  deployment_id text PRIMARY KEY,
  user_id text NOT NULL,
  project_id text,
  started_at text COLLATE "C" NOT NULL,
  finished_outcome text,
  finished_at text COLLATE "C"
);
CREATE INDEX alert_deployments_running ON journey.alert_deployments (started_at) WHERE finished_outcome IS NULL;
CREATE TABLE journey.alert_error_groups (
  user_id text NOT NULL,
  code text NOT NULL,
  window_start text COLLATE "C" NOT NULL,
  count integer NOT NULL,
  alert_key text NOT NULL,
  PRIMARY KEY (user_id, code)
);
CREATE TABLE journey.alert_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL UNIQUE,
  kind text COLLATE "C" NOT NULL,
  user_id text NOT NULL,
  occurred_at text COLLATE "C" NOT NULL,
  parent_key text,
  content jsonb NOT NULL,
  raised_at text COLLATE "C" NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at text COLLATE "C" NOT NULL,
  last_error text,
  channel text,
  ts text,
  delivered_at text COLLATE "C"
);
CREATE INDEX alert_outbox_pending ON journey.alert_outbox (seq) WHERE status = 'pending';
CREATE TABLE journey.alert_checkpoints (
  projection text PRIMARY KEY,
  position text NOT NULL
);`,
};
