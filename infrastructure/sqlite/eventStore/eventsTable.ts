import type { Position, RecordedEvent } from '../../../application/ports/eventStore/eventStore.ts';
import type { SqliteDatabase } from '../openDatabase.ts';

/**
 * The `events` table: the global position is the rowid, so a position read is a primary-key
 * range scan, and `UNIQUE(stream_id, revision)` doubles as the index for stream reads and
 * the stream head. Data and metadata are JSON text; `recorded_at` is ISO-8601 UTC text.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT,
  recorded_at TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);`;

export type EventRow = {
  readonly position: number;
  readonly stream_id: string;
  readonly revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string | null;
  readonly recorded_at: string;
};

export type InsertParams = [
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string | null,
  recordedAt: string,
];

/** an `EventRow` in `COLUMNS` order: the position, then what was inserted */
export type EventTuple = [position: number, ...InsertParams];

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';
// substr + length rather than LIKE: LIKE is case-insensitive and treats _ and % as wildcards
const PREFIX = 'substr(stream_id, 1, length(@prefix)) = @prefix';

/** Prepared once per connection: preparing is a measurable part of a small append. */
export const prepareEventStatements = (db: SqliteDatabase) => {
  db.exec(SCHEMA);
  return {
    head: db.prepare<[string], { revision: number }>(
      'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    ),
    byId: db.prepare<[string], { stream_id: string; revision: number }>(
      'SELECT stream_id, revision FROM events WHERE event_id = ?',
    ),
    positionAt: db.prepare<[string, number], { position: number }>(
      'SELECT position FROM events WHERE stream_id = ? AND revision = ?',
    ),
    insert: db.prepare<InsertParams>(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    forwards: db.prepare<[string, bigint, number], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    backwards: db.prepare<[string, bigint, number], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
    // the mapper's reads (a stream's first event, a whole stream) with the limit written in:
    // a bound LIMIT made each of these small reads several times slower
    forwardsFirst: db.prepare<[string, bigint], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT 1`,
    ),
    forwardsAll: db.prepare<[string, bigint], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision`,
    ),
    // rows as arrays (EventTuple): the global read feeds every projection, and an object
    // per row is a measurable part of a catch-up
    all: db
      .prepare<{ from: bigint; limit: number }, EventTuple>(
        `SELECT ${COLUMNS} FROM events WHERE position > @from ORDER BY position LIMIT @limit`,
      )
      .raw(true),
    allWithPrefix: db
      .prepare<{ from: bigint; limit: number; prefix: string }, EventTuple>(
        `SELECT ${COLUMNS} FROM events WHERE position > @from AND ${PREFIX} ORDER BY position LIMIT @limit`,
      )
      .raw(true),
    // newest first and stop at the first match: cheap whenever matching streams are common
    headPosition: db.prepare<[], { position: number }>('SELECT position FROM events ORDER BY position DESC LIMIT 1'),
    headPositionWithPrefix: db.prepare<{ prefix: string }, { position: number }>(
      `SELECT position FROM events WHERE ${PREFIX} ORDER BY position DESC LIMIT 1`,
    ),
  };
};

export type EventStatements = ReturnType<typeof prepareEventStatements>;

export const positionOf = (n: number | bigint): Position => {
  const at = BigInt(n);
  return { commit: at, prepare: at };
};

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.type,
  data: JSON.parse(row.data),
  metadata: row.metadata === null ? undefined : JSON.parse(row.metadata),
  streamId: row.stream_id,
  revision: BigInt(row.revision),
  position: positionOf(row.position),
  recordedAt: row.recorded_at,
});

export const tupleToRecordedEvent = ([
  position,
  streamId,
  revision,
  eventId,
  type,
  data,
  metadata,
  recordedAt,
]: EventTuple): RecordedEvent => ({
  id: eventId,
  type,
  data: JSON.parse(data),
  metadata: metadata === null ? undefined : JSON.parse(metadata),
  streamId,
  revision: BigInt(revision),
  position: positionOf(position),
  recordedAt,
});

/** LIMIT -1 is SQLite for "no limit" */
export const limitOf = (maxCount: number | undefined): number => maxCount ?? -1;
