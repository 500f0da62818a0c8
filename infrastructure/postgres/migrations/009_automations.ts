import type { Migration } from './migration.ts';

/**
 * The automations read model (users, timers: a rebuild drops them), its checkpoint and the
 * delivery outbox (one row per delivery id, kept across resets so nothing is sent twice), as
 * SQLite's automations.db. Instants are `toISOString` text in the C collation, so they compare
 * as time whatever the database's locale. No catalogue view: the payloads carry the personal
 * data sent to webhooks, and `journey automations deliveries` lists the outbox.
 */
export const automationsMigration: Migration = {
  version: 9,
  name: 'automations',
  sql: `
CREATE TABLE journey.automation_users (
  user_id text COLLATE "C" PRIMARY KEY,
  state jsonb NOT NULL
);
CREATE TABLE journey.automation_timers (
  id text COLLATE "C" PRIMARY KEY,
  automation_id text NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  started_at text COLLATE "C" NOT NULL,
  due_at text COLLATE "C" NOT NULL,
  data jsonb NOT NULL,
  status text NOT NULL
);
CREATE INDEX automation_timers_waiting ON journey.automation_timers (due_at, id) WHERE status = 'waiting';
CREATE INDEX automation_timers_user ON journey.automation_timers (user_id) WHERE status = 'waiting';
CREATE TABLE journey.automation_deliveries (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  automation_id text COLLATE "C" NOT NULL,
  action text NOT NULL,
  user_id text NOT NULL,
  triggered_at text COLLATE "C" NOT NULL,
  payload jsonb NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at text COLLATE "C" NOT NULL,
  last_error text,
  delivered_at text COLLATE "C"
);
CREATE INDEX automation_deliveries_pending ON journey.automation_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX automation_deliveries_by_automation ON journey.automation_deliveries (automation_id, seq);
CREATE TABLE journey.automation_checkpoints (
  projection text PRIMARY KEY,
  position text NOT NULL
);`,
};
