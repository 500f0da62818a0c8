import type { Migration } from './migration.ts';

/**
 * Each projection's installed version (1 until its first rebuild) and who rebuilds it now.
 * The holder row is informative: the lock itself is a session-level advisory lock of the
 * rebuilding connection (infrastructure/postgres/rebuild/rebuildLock.ts), so it dies with it.
 */
export const projectionRebuildsMigration: Migration = {
  version: 5,
  name: 'projection rebuilds',
  sql: `
CREATE TABLE journey.projection_rebuilds (
  projection text PRIMARY KEY,
  version integer NOT NULL DEFAULT 1,
  installed_at timestamptz,
  holder_pid integer,
  holder_host text,
  holder_since text
);`,
};
