import type { SqliteDatabase } from '../openDatabase.ts';

/**
 * The raw-event index: one row per raw event. `user_key` is the event's userId, or the user its
 * anonymousId is linked to, so one index answers "this user's events". `version` is unique and grows
 * with every write of a row (kept in `raw_event_index_meta`, so pruning never reuses one).
 * `raw_event_index_copied` is how far the embedded raw log was copied in (copyStoredEvents.ts).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS raw_event_index (
  message_id TEXT PRIMARY KEY,
  received_at TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  type TEXT NOT NULL,
  event TEXT,
  user_id TEXT,
  anonymous_id TEXT,
  user_key TEXT,
  status TEXT NOT NULL,
  journey_events TEXT NOT NULL,
  reason TEXT,
  payload TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS raw_event_index_received ON raw_event_index (received_at, message_id);
CREATE INDEX IF NOT EXISTS raw_event_index_user ON raw_event_index (user_key, received_at, message_id);
CREATE INDEX IF NOT EXISTS raw_event_index_anonymous ON raw_event_index (anonymous_id, received_at, message_id);
CREATE INDEX IF NOT EXISTS raw_event_index_status ON raw_event_index (status, received_at, message_id);
CREATE UNIQUE INDEX IF NOT EXISTS raw_event_index_version ON raw_event_index (version);
CREATE TABLE IF NOT EXISTS raw_event_links (
  anonymous_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS raw_event_index_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO raw_event_index_meta (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS raw_event_index_copied (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);`;

export type RawEventRow = {
  readonly message_id: string;
  readonly received_at: string;
  readonly timestamp: string;
  readonly type: string;
  readonly event: string | null;
  readonly user_id: string | null;
  readonly anonymous_id: string | null;
  readonly user_key: string | null;
  readonly status: string;
  readonly journey_events: string;
  readonly reason: string | null;
  readonly payload: string;
  readonly version: number;
};

export const prepareRawEventIndexStatements = (db: SqliteDatabase) => {
  db.exec(SCHEMA);
  return {
    version: db.prepare<[], { version: number }>('SELECT version FROM raw_event_index_meta WHERE id = 1'),
    setVersion: db.prepare<[version: number]>('UPDATE raw_event_index_meta SET version = ? WHERE id = 1'),
    // a write transaction's first statement: it takes the index's write lock alone, where BEGIN
    // IMMEDIATE would also lock every attached file (the raw log, behind the collector's commits)
    lock: db.prepare<[]>('UPDATE raw_event_index_meta SET version = version WHERE id = 1'),
    link: db.prepare<[anonymousId: string], { user_id: string }>(
      'SELECT user_id FROM raw_event_links WHERE anonymous_id = ?',
    ),
    addLink: db.prepare<[anonymousId: string, userId: string]>(
      'INSERT INTO raw_event_links (anonymous_id, user_id) VALUES (?, ?) ON CONFLICT (anonymous_id) DO NOTHING',
    ),
    unlinked: db.prepare<[anonymousId: string], { message_id: string }>(
      'SELECT message_id FROM raw_event_index WHERE anonymous_id = ? AND user_key IS NULL',
    ),
    setUserKey: db.prepare<[userKey: string, version: number, messageId: string]>(
      'UPDATE raw_event_index SET user_key = ?, version = ? WHERE message_id = ?',
    ),
    get: db.prepare<[messageId: string], { status: string; journey_events: string; reason: string | null }>(
      'SELECT status, journey_events, reason FROM raw_event_index WHERE message_id = ?',
    ),
    insert: db.prepare<
      [
        messageId: string,
        receivedAt: string,
        timestamp: string,
        type: string,
        event: string | null,
        userId: string | null,
        anonymousId: string | null,
        userKey: string | null,
        status: string,
        journeyEvents: string,
        reason: string | null,
        payload: string,
        version: number,
      ]
    >(
      `INSERT INTO raw_event_index (message_id, received_at, timestamp, type, event, user_id, anonymous_id, user_key,
         status, journey_events, reason, payload, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setOutcome: db.prepare<
      [status: string, journeyEvents: string, reason: string | null, version: number, messageId: string]
    >('UPDATE raw_event_index SET status = ?, journey_events = ?, reason = ?, version = ? WHERE message_id = ?'),
    prune: db.prepare<[receivedBefore: string, limit: number]>(
      `DELETE FROM raw_event_index WHERE message_id IN (
         SELECT message_id FROM raw_event_index WHERE received_at < ? ORDER BY received_at, message_id LIMIT ?)`,
    ),
  };
};

export type RawEventIndexStatements = ReturnType<typeof prepareRawEventIndexStatements>;
