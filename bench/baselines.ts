import Database from 'better-sqlite3';
import type { EventRow, RawLogRow } from './eventFactory.ts';
import { perSecond } from './stats.ts';

/**
 * What the engine does with none of Journey's code in the way: the figures every Journey figure is
 * divided by. Plain better-sqlite3 (WAL, synchronous=NORMAL) on tables shaped like Journey's but
 * declared here, so a schema change moves the ratio, not the baseline.
 */

const TRANSACTION_ROWS = 1_000;

const open = (file: string, synchronous: 'NORMAL' | 'FULL'): Database.Database => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  return db;
};

/** inserts `rows` in 1,000-row transactions and returns rows/s (statement preparation excluded) */
const insertAll = (db: Database.Database, sql: string, rows: readonly (readonly unknown[])[]): number => {
  const insert = db.prepare<unknown[]>(sql);
  const chunk = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(...(rows[i] ?? []));
  });
  const start = performance.now();
  for (let from = 0; from < rows.length; from += TRANSACTION_ROWS) {
    chunk(from, Math.min(rows.length, from + TRANSACTION_ROWS));
  }
  return perSecond(rows.length, start, performance.now());
};

/** the raw log's table: random UUID message ids in a unique index */
export const rawLogInsertBaseline = (file: string, rows: readonly RawLogRow[]): number => {
  const db = open(file, 'NORMAL');
  try {
    db.exec(`CREATE TABLE raw_events (
      seq INTEGER PRIMARY KEY,
      message_id TEXT NOT NULL UNIQUE,
      partition_key TEXT NOT NULL,
      payload TEXT NOT NULL,
      received_at TEXT NOT NULL)`);
    return insertAll(
      db,
      'INSERT INTO raw_events (message_id, partition_key, payload, received_at) VALUES (?, ?, ?, ?)',
      rows,
    );
  } finally {
    db.close();
  }
};

const EVENTS_TABLE = `CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT,
  recorded_at TEXT NOT NULL,
  UNIQUE (stream_id, revision))`;

/** the event store's table: global position, per-stream revision, unique (time-ordered) event id */
export const eventsInsertBaseline = (file: string, rows: readonly EventRow[]): number => {
  const db = open(file, 'NORMAL');
  try {
    db.exec(EVENTS_TABLE);
    return insertAll(
      db,
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      rows,
    );
  } finally {
    db.close();
  }
};

type ScannedRow = { readonly data: string; readonly metadata: string | null };

/**
 * Reads the whole events table in position order and parses data and metadata: the least a
 * projection must do, so a catch-up cannot beat it. Returns rows/s.
 */
export const orderedScanBaseline = (file: string): { readonly rowsPerSecond: number; readonly rows: number } => {
  const db = new Database(file, { readonly: true });
  try {
    const scan = db.prepare<[], ScannedRow>('SELECT * FROM events ORDER BY position');
    let rows = 0;
    let keys = 0; // uses the parsed values, so nothing can be optimized away
    const start = performance.now();
    for (const row of scan.iterate()) {
      const data = JSON.parse(row.data) as object;
      const metadata = row.metadata === null ? null : (JSON.parse(row.metadata) as object | null);
      keys += Object.keys(data).length + (metadata === null ? 0 : 1);
      rows++;
    }
    const end = performance.now();
    if (keys < 0) throw new Error('unreachable');
    return { rowsPerSecond: perSecond(rows, start, end), rows };
  } finally {
    db.close();
  }
};

/**
 * Single-row commits per second for `ms` milliseconds. In WAL mode synchronous=FULL syncs the
 * WAL on every commit and NORMAL does not, so the two together give the price of one fsync
 * on this disk: the floor under every durable (FULL) write Journey makes.
 */
export const commitsPerSecond = (file: string, synchronous: 'NORMAL' | 'FULL', ms: number): number => {
  const db = open(file, synchronous);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS commits (id INTEGER PRIMARY KEY, at REAL NOT NULL)');
    const insert = db.prepare<[number]>('INSERT INTO commits (at) VALUES (?)');
    let commits = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      insert.run(now); // autocommit: one transaction, one commit each
      commits++;
      now = performance.now();
    }
    return perSecond(commits, start, now);
  } finally {
    db.close();
  }
};

/**
 * Single-row commits for `ms` milliseconds, timed one by one: with synchronous=FULL each
 * commit waits for one fsync of the WAL, so its p50/p99 is what one durable write costs on
 * this disk at that moment, the floor under each hop of a durable pipeline.
 */
export const commitLatency = (
  file: string,
  synchronous: 'NORMAL' | 'FULL',
  ms: number,
): { readonly perSecond: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number } => {
  const db = open(file, synchronous);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS commits (id INTEGER PRIMARY KEY, at REAL NOT NULL)');
    const insert = db.prepare<[number]>('INSERT INTO commits (at) VALUES (?)');
    const took: number[] = [];
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      insert.run(now);
      const end = performance.now();
      took.push(end - now);
      now = end;
    }
    took.sort((a, b) => a - b);
    const at = (p: number) => took[Math.min(took.length - 1, Math.ceil((p / 100) * took.length) - 1)] ?? Number.NaN;
    return { perSecond: perSecond(took.length, start, now), p50Ms: at(50), p99Ms: at(99), maxMs: took.at(-1) ?? 0 };
  } finally {
    db.close();
  }
};
