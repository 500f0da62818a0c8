import type { Migration } from './migration.ts';

/**
 * The read models (see infrastructure/postgres/readModels/). Instants are timestamptz, read
 * back as `toISOString` text; ids and emails are COLLATE "C" so they order and fold (lower()
 * is ASCII-only under "C") as SQLite's do, and a prefix is one range of a btree. `seq` is
 * append order, the tie-break for equal event times. Activity is one row per user and UTC
 * day. The stage tables hold the funnel's deltas as prefix sums per instant (epoch ms),
 * minute and UTC day (epoch days) for the window W in `stage_window`; a new database keeps
 * W = 15, as SQLite does. The secondary indexes match readModelIndexes.ts, which a bulk load
 * drops and builds again.
 */
export const readModelsMigration: Migration = {
  version: 2,
  name: 'read models',
  sql: `
CREATE TABLE journey.timeline (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL,
  occurred_at timestamptz NOT NULL,
  event_id text COLLATE "C" NOT NULL UNIQUE,
  type text NOT NULL,
  data jsonb NOT NULL,
  rule_id text NOT NULL,
  source_message_ids jsonb NOT NULL
);
CREATE TABLE journey.users (
  user_id text COLLATE "C" PRIMARY KEY,
  email text COLLATE "C",
  name text,
  signed_up_at timestamptz,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  last_activity_at timestamptz,
  event_count integer NOT NULL,
  last_event_type text NOT NULL
);
CREATE TABLE journey.activity_days (
  user_id text COLLATE "C" NOT NULL,
  day date NOT NULL,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, day)
);
CREATE TABLE journey.stage_instants (
  at bigint PRIMARY KEY, signed_up integer NOT NULL, activated integer NOT NULL,
  active integer NOT NULL, inactive integer NOT NULL
);
CREATE TABLE journey.stage_minutes (
  minute bigint PRIMARY KEY, signed_up integer NOT NULL, activated integer NOT NULL,
  active integer NOT NULL, inactive integer NOT NULL
);
CREATE TABLE journey.stage_days (
  day integer PRIMARY KEY, signed_up integer NOT NULL, activated integer NOT NULL,
  active integer NOT NULL, inactive integer NOT NULL
);
CREATE TABLE journey.stage_window (
  id integer PRIMARY KEY CHECK (id = 1),
  window_days integer NOT NULL CHECK (window_days >= 1)
);
INSERT INTO journey.stage_window (id, window_days) VALUES (1, 15);
CREATE TABLE journey.read_model_checkpoints (
  projection text PRIMARY KEY,
  position text
);
CREATE INDEX timeline_by_user_time ON journey.timeline (user_id, occurred_at, seq);
CREATE INDEX users_by_signup ON journey.users (signed_up_at);
CREATE INDEX users_by_email ON journey.users (lower(email), user_id);
`,
};
