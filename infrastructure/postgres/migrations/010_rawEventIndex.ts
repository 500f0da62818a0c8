import type { Migration } from './migration.ts';

/**
 * The live explorer's raw-event index (infrastructure/postgres/rawEventIndex/), as SQLite's
 * rawevents.db: one row per raw event, `user_key` the event's user or the user its anonymous id
 * is linked to. Instants are the events' ISO text and ids COLLATE "C", so pages follow SQLite's
 * keyset order; each filter has an index in that order, newest first by a backward scan.
 * `version` numbers every write of a row (the stream's resume point); the meta row keeps the
 * latest, so pruning never reuses one. No catalogue view: `payload` is the raw personal data.
 */
export const rawEventIndexMigration: Migration = {
  version: 10,
  name: 'raw event index',
  sql: `
CREATE TABLE journey.raw_event_index (
  message_id text COLLATE "C" PRIMARY KEY,
  received_at text COLLATE "C" NOT NULL,
  occurred_at text COLLATE "C" NOT NULL,
  type text COLLATE "C" NOT NULL,
  event text COLLATE "C",
  user_id text COLLATE "C",
  anonymous_id text COLLATE "C",
  user_key text COLLATE "C",
  status text COLLATE "C" NOT NULL,
  journey_events jsonb NOT NULL,
  reason text,
  payload json NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX raw_event_index_received ON journey.raw_event_index (received_at, message_id);
CREATE INDEX raw_event_index_user ON journey.raw_event_index (user_key, received_at, message_id);
CREATE INDEX raw_event_index_anonymous ON journey.raw_event_index (anonymous_id, received_at, message_id);
CREATE INDEX raw_event_index_status ON journey.raw_event_index (status, received_at, message_id);
CREATE UNIQUE INDEX raw_event_index_version ON journey.raw_event_index (version);
CREATE TABLE journey.raw_event_links (
  anonymous_id text COLLATE "C" PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL
);
CREATE TABLE journey.raw_event_index_meta (
  id integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO journey.raw_event_index_meta (id, version) VALUES (1, 0);`,
};
