import type { SqliteDatabase } from '../openDatabase.ts';

/**
 * sessions.db: each user's activity (what the projection recuts a late event's sessions from)
 * and their sessions. Times are epoch milliseconds, so (time, messageId) order is an index
 * range; a session's JSON is what the API answers, the other columns are what queries need.
 */
export const createSessionTables = (db: SqliteDatabase): void => {
  db.exec(`
    CREATE TABLE IF NOT EXISTS session_activity (
      user_id TEXT NOT NULL,
      message_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (user_id, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS session_activity_by_time ON session_activity (user_id, at, message_id);
    CREATE TABLE IF NOT EXISTS sessions (
      session_id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      first_message_id TEXT NOT NULL,
      day TEXT NOT NULL,
      duration_ms INTEGER NOT NULL,
      page_views INTEGER NOT NULL,
      data TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id, started_at, first_message_id);
    CREATE INDEX IF NOT EXISTS sessions_by_day ON sessions (day, duration_ms);
    CREATE TABLE IF NOT EXISTS session_checkpoints (projection TEXT PRIMARY KEY, position TEXT NOT NULL);
  `);
};
