import { existsSync } from 'node:fs';
import { ConfigError } from '../../../domain/errors/journeyError.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import type { RawEventIndexStatements } from './rawEventIndexTables.ts';

/** one copy: raw events read from the log, rows it added (the rest had an outcome already), the log's last seq */
export type StoredCopy = { readonly read: number; readonly copied: number; readonly logHead: number };

/**
 * The same columns RawEventIndex.record writes for a stored event, taken from the raw log's row in
 * SQL: the payload is copied as stored (it is what JSON.stringify of the parsed event gives back),
 * and `user_key` is the userId or the user the anonymousId is already linked to.
 */
const COPY = `
INSERT INTO raw_event_index (message_id, received_at, timestamp, type, event, user_id, anonymous_id, user_key,
  status, journey_events, reason, payload, version)
SELECT r.message_id, r.received_at, r.payload ->> '$.timestamp', r.payload ->> '$.type',
  CASE WHEN r.payload ->> '$.type' = 'track' THEN r.payload ->> '$.event' END,
  r.payload ->> '$.userId', r.payload ->> '$.anonymousId',
  COALESCE(r.payload ->> '$.userId',
    (SELECT l.user_id FROM raw_event_links l WHERE l.anonymous_id = r.payload ->> '$.anonymousId')),
  'pending', '[]', NULL, r.payload, ? + r.seq
FROM rawlog.raw_events r WHERE r.seq > ? AND r.seq <= ? ORDER BY r.seq
ON CONFLICT (message_id) DO NOTHING`;

const unusableMessage = (file: string, error: unknown) =>
  `cannot copy from the raw log ${file}: ${error instanceof Error ? error.message : String(error)}; open the raw log (SqliteRawLog) on that file before the index that copies from it`;

/**
 * Attaches the embedded raw log to the index's connection, to be read only: stored events are
 * copied into the index by one `INSERT … SELECT`, with nothing parsed or serialized in JavaScript.
 * How far it copied is kept in the index, in the transaction of the copy.
 */
export const attachRawLog = (db: SqliteDatabase, stmts: RawEventIndexStatements, rawLogFile: string) => {
  // ATTACH would create a missing file, and not in WAL mode: the raw log must have made it
  if (!existsSync(rawLogFile)) throw new ConfigError(unusableMessage(rawLogFile, 'no such file'));
  db.prepare('ATTACH DATABASE ? AS rawlog').run(rawLogFile);
  // an attached file has a page cache of its own (better-sqlite3's default, 16 MiB); the copy reads
  // the log's newest pages once, in order
  db.pragma('rawlog.cache_size = -1024');
  let s: ReturnType<typeof prepare>;
  try {
    s = prepare(db);
  } catch (error) {
    throw new ConfigError(unusableMessage(rawLogFile, error));
  }
  const copiedUpTo = (): number => s.copied.get()?.seq ?? s.groupOffset.get()?.seq ?? 0;
  // deferred, first statement a write to the index: BEGIN IMMEDIATE would lock the raw log too
  const copyTx = db.transaction((limit: number): StoredCopy => {
    stmts.lock.run();
    const after = copiedUpTo();
    const logHead = s.logHead.get()?.seq ?? 0;
    if (logHead < after) {
      // a raw log started anew (its seq restarted): copy it from its start; rows already here stay
      s.setCopied.run(0);
      return { read: 0, copied: 0, logHead };
    }
    const next = s.next.get(after, limit);
    if (next === undefined || next.last === null) return { read: 0, copied: 0, logHead };
    const version = stmts.version.get()?.version ?? 0;
    // seq - after is 1 or more and grows: versions above every earlier one, gaps allowed
    const copied = s.copy.run(version - after, after, next.last).changes;
    stmts.setVersion.run(version + next.last - after);
    s.setCopied.run(next.last);
    return { read: next.n, copied, logHead };
  });
  return {
    copy: (limit: number): StoredCopy => copyTx.deferred(limit),
    /** raw events the index has not copied yet */
    behind: (): number => s.behind.get(copiedUpTo())?.n ?? 0,
  };
};

const prepare = (db: SqliteDatabase) => ({
  copied: db.prepare<[], { seq: number }>('SELECT seq FROM raw_event_index_copied WHERE id = 1'),
  setCopied: db.prepare<[seq: number]>(
    'INSERT INTO raw_event_index_copied (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq',
  ),
  // where an index that followed the log's `explorer` group before left off
  groupOffset: db.prepare<[], { seq: number }>("SELECT seq FROM rawlog.consumer_offsets WHERE group_name = 'explorer'"),
  logHead: db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM rawlog.raw_events'),
  next: db.prepare<[after: number, limit: number], { n: number; last: number | null }>(
    'SELECT count(*) AS n, max(seq) AS last FROM (SELECT seq FROM rawlog.raw_events WHERE seq > ? ORDER BY seq LIMIT ?)',
  ),
  copy: db.prepare<[versionBase: number, after: number, upTo: number]>(COPY),
  behind: db.prepare<[after: number], { n: number }>('SELECT count(*) AS n FROM rawlog.raw_events WHERE seq > ?'),
});

export type AttachedRawLog = ReturnType<typeof attachRawLog>;
