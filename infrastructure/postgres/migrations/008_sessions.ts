import { CATALOGUE_VIEWS, createViewSql, readerGrantSql } from '../catalogue/catalogueViews.ts';
import type { Migration } from './migration.ts';

const views = CATALOGUE_VIEWS.filter((v) => v.name === 'sessions');

/**
 * The sessions read model (see infrastructure/postgres/sessionStore/): each user's activity,
 * what a late event's sessions are recut from, and their sessions, keyed as in SQLite by
 * (user, time, messageId) so the projection's reads are key ranges; ids COLLATE "C" so they
 * order as SQLite's. `day` is the session's start day as the projection wrote it; the view
 * `analytics.sessions` is the catalogue's. Independent of the migrations before it but 001.
 */
export const sessionsMigration: Migration = {
  version: 8,
  name: 'sessions',
  sql: `
CREATE TABLE journey.session_activity (
  user_id text COLLATE "C" NOT NULL,
  at timestamptz NOT NULL,
  message_id text COLLATE "C" NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (user_id, at, message_id),
  UNIQUE (user_id, message_id)
);
CREATE TABLE journey.sessions (
  user_id text COLLATE "C" NOT NULL,
  started_at timestamptz NOT NULL,
  first_message_id text COLLATE "C" NOT NULL,
  session_id text COLLATE "C" NOT NULL UNIQUE,
  day date NOT NULL,
  duration_ms bigint NOT NULL,
  page_views integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (user_id, started_at, first_message_id)
);
CREATE INDEX sessions_by_day ON journey.sessions (day, duration_ms);
CREATE TABLE journey.session_checkpoints (
  projection text PRIMARY KEY,
  position text
);

${views.map((view) => createViewSql(view)).join('\n\n')}
${readerGrantSql(views)}
`,
};
