import type { SqliteDatabase } from '../openDatabase.ts';

/**
 * The raw log's tables: `seq` (the rowid) is the log order; one offset row per group. A replayed dead
 * letter is listed in dead_letters_removed, not deleted: without AUTOINCREMENT, SQLite would hand a
 * deleted newest id to the next letter.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS raw_events (
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  partition_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS consumer_offsets (
  group_name TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  stage TEXT NOT NULL,
  reason TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters_removed (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL
);`;

export type DeadLetterRow = {
  readonly id: number;
  readonly at: string;
  readonly stage: 'collector' | 'mapper';
  readonly reason: string;
  readonly payload: string;
};

export const prepareRawLogStatements = (db: SqliteDatabase) => {
  db.exec(SCHEMA);
  return {
    // ON CONFLICT, not INSERT OR IGNORE: OR IGNORE would also swallow a NOT NULL violation,
    // dropping an event without a messageId in silence and calling it a duplicate
    insert: db.prepare<[messageId: string, partitionKey: string, payload: string, receivedAt: string]>(
      'INSERT INTO raw_events (message_id, partition_key, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING',
    ),
    after: db.prepare<[seq: number, limit: number], { seq: number; payload: string }>(
      'SELECT seq, payload FROM raw_events WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    countAfter: db.prepare<[seq: number], { n: number }>('SELECT COUNT(*) AS n FROM raw_events WHERE seq > ?'),
    offset: db.prepare<[group: string], { seq: number }>('SELECT seq FROM consumer_offsets WHERE group_name = ?'),
    ack: db.prepare<[group: string, seq: number]>(
      'INSERT INTO consumer_offsets (group_name, seq) VALUES (?, ?) ON CONFLICT (group_name) DO UPDATE SET seq = excluded.seq',
    ),
    deadLetter: db.prepare<[at: string, stage: string, reason: string, payload: string]>(
      'INSERT INTO dead_letters (at, stage, reason, payload) VALUES (?, ?, ?, ?)',
    ),
    listDeadLetters: db.prepare<[limit: number], DeadLetterRow>(
      'SELECT id, at, stage, reason, payload FROM dead_letters WHERE id NOT IN (SELECT id FROM dead_letters_removed) ORDER BY id DESC LIMIT ?',
    ),
    getDeadLetter: db.prepare<[id: number], DeadLetterRow>(
      'SELECT id, at, stage, reason, payload FROM dead_letters WHERE id = ? AND id NOT IN (SELECT id FROM dead_letters_removed)',
    ),
    removeDeadLetter: db.prepare<[at: string, id: number]>(
      'INSERT INTO dead_letters_removed (id, at) SELECT id, ? FROM dead_letters WHERE id = ? ON CONFLICT (id) DO NOTHING',
    ),
  };
};

export type RawLogStatements = ReturnType<typeof prepareRawLogStatements>;
