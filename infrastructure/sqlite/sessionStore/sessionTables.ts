import type { SqliteDatabase } from '../openDatabase.ts';
import type { SecondaryIndex } from '../secondaryIndexes.ts';

export type SessionTableNames = { readonly activity: string; readonly sessions: string };
export const LIVE_SESSION_TABLES: SessionTableNames = { activity: 'session_activity', sessions: 'sessions' };
export const SESSION_CHECKPOINTS = 'session_checkpoints';

/**
 * sessions.db: each user's activity (what a late event's sessions are recut from) and their
 * sessions. Times are epoch milliseconds and the keys lead with (user, time, messageId), so
 * the projection's reads are key ranges even while a rebuild defers the secondary indexes.
 */
export const createSessionTables = (db: SqliteDatabase, tables: SessionTableNames = LIVE_SESSION_TABLES): void => {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${tables.activity} (
      user_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      message_id TEXT NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (user_id, at, message_id),
      UNIQUE (user_id, message_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${tables.sessions} (
      user_id TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      first_message_id TEXT NOT NULL,
      session_id TEXT NOT NULL UNIQUE,
      day TEXT NOT NULL,
      duration_ms INTEGER NOT NULL,
      page_views INTEGER NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (user_id, started_at, first_message_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${SESSION_CHECKPOINTS} (projection TEXT PRIMARY KEY, position TEXT NOT NULL);
  `);
};

/** what only the daily query needs: built once at the end of a rebuild */
export const sessionIndexes = (tables: SessionTableNames): SecondaryIndex[] => [
  { name: 'sessions_by_day', table: tables.sessions, columns: 'day, duration_ms' },
];
