import type Database from 'better-sqlite3';
import type {
  IndexedRawEvent,
  RawEventBatch,
  RawEventChange,
  RawEventCursor,
  RawEventFilter,
  RawEventIndex,
  RawEventPage,
} from '../../../application/ports/rawEventIndex/rawEventIndex.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import type { RawEventStatus } from '../../../domain/explorer/rawEventStatus.ts';
import type { IngestedEvent, RawEventType } from '../../../domain/raw/rawEvent.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import { type AttachedRawLog, attachRawLog, type StoredCopy } from './copyStoredEvents.ts';
import {
  prepareRawEventIndexStatements,
  type RawEventIndexStatements,
  type RawEventRow,
} from './rawEventIndexTables.ts';

const COLUMNS =
  'message_id, received_at, timestamp, type, event, user_id, anonymous_id, user_key, status, journey_events, reason, payload, version';

const eventOf = (row: RawEventRow): IndexedRawEvent => ({
  messageId: row.message_id,
  type: row.type as RawEventType,
  ...(row.event === null ? {} : { event: row.event }),
  ...(row.user_id === null ? {} : { userId: row.user_id }),
  ...(row.anonymous_id === null ? {} : { anonymousId: row.anonymous_id }),
  ...(row.user_id === null && row.user_key !== null ? { linkedUserId: row.user_key } : {}),
  timestamp: row.timestamp,
  receivedAt: row.received_at,
  status: row.status as RawEventStatus,
  journeyEvents: JSON.parse(row.journey_events),
  ...(row.reason === null ? {} : { reason: row.reason }),
  raw: JSON.parse(row.payload) as IngestedEvent,
});

/** the filter as SQL conditions and their values, in one fixed order so statements can be cached by shape */
const conditionsOf = (filter: RawEventFilter): { sql: string[]; values: string[] } => {
  const sql: string[] = [];
  const values: string[] = [];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    sql.push(`${column} = ?`);
    values.push(value);
  };
  add('user_key', filter.userId);
  add('anonymous_id', filter.anonymousId);
  add('type', filter.type);
  add('event', filter.event);
  add('status', filter.status);
  return { sql, values };
};

export type SqliteRawEventIndexOptions = {
  /** the embedded raw log's file, for copyStored: only the index's writer (its worker thread) needs it */
  readonly rawLogFile?: string;
  /** page cache in KiB (openDatabase's default when unset) */
  readonly cacheSizeKiB?: number;
};

/** The raw-event index in its own SQLite file; a read model that can be lost, so it commits with NORMAL. */
export class SqliteRawEventIndex implements RawEventIndex {
  private readonly db: SqliteDatabase;
  private readonly stmts: RawEventIndexStatements;
  private readonly cached = new Map<string, Database.Statement<unknown[], RawEventRow>>();
  private readonly recordTx: Database.Transaction<(batch: RawEventBatch) => void>;
  private readonly rawLog: AttachedRawLog | undefined;
  private closed = false;

  constructor(
    private readonly file: string,
    options: SqliteRawEventIndexOptions = {},
  ) {
    // copies of 10,000 rows dirty thousands of index pages: fewer checkpoints (as the read models)
    this.db = openDatabase(file, {
      walAutocheckpointPages: 10_000,
      ...(options.cacheSizeKiB === undefined ? {} : { cacheSizeKiB: options.cacheSizeKiB }),
    });
    this.stmts = prepareRawEventIndexStatements(this.db);
    // deferred, its first statement a write here: BEGIN IMMEDIATE would lock an attached raw log too
    this.recordTx = this.db.transaction((batch: RawEventBatch) => {
      this.stmts.lock.run();
      this.write(batch);
    });
    try {
      this.rawLog =
        options.rawLogFile === undefined ? undefined : attachRawLog(this.db, this.stmts, options.rawLogFile);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  async record(batch: RawEventBatch): Promise<void> {
    this.assertOpen();
    this.recordTx.deferred(batch);
  }

  /**
   * Copies the raw log's next stored events (at most `limit`) in as pending, in one transaction with
   * how far it got; an event that has its outcome already keeps it. Needs `rawLogFile`.
   */
  async copyStored(limit: number): Promise<StoredCopy> {
    this.assertOpen();
    return this.attached().copy(limit);
  }

  /** raw events of the attached log not copied in yet */
  async storedBehind(): Promise<number> {
    this.assertOpen();
    return this.attached().behind();
  }

  async query(filter: RawEventFilter, page: { before?: RawEventCursor; limit: number }): Promise<RawEventPage> {
    this.assertOpen();
    const { sql, values } = conditionsOf(filter);
    if (page.before !== undefined) sql.push('(received_at, message_id) < (?, ?)');
    const where = sql.length === 0 ? '' : `WHERE ${sql.join(' AND ')}`;
    const rows = this.statement(
      `SELECT ${COLUMNS} FROM raw_event_index ${where} ORDER BY received_at DESC, message_id DESC LIMIT ?`,
    ).all(
      ...values,
      ...(page.before === undefined ? [] : [page.before.receivedAt, page.before.messageId]),
      page.limit + 1,
    );
    const events = rows.slice(0, page.limit).map(eventOf);
    const last = events.at(-1);
    return rows.length > page.limit && last !== undefined
      ? { events, next: { receivedAt: last.receivedAt, messageId: last.messageId } }
      : { events };
  }

  async headVersion(): Promise<number> {
    this.assertOpen();
    return this.stmts.version.get()?.version ?? 0;
  }

  async changesSince(afterVersion: number, filter: RawEventFilter, limit: number) {
    this.assertOpen();
    const head = this.stmts.version.get()?.version ?? 0;
    const { sql, values } = conditionsOf(filter);
    const rows = this.statement(
      `SELECT ${COLUMNS} FROM raw_event_index WHERE version > ? AND version <= ?${sql.map((c) => ` AND ${c}`).join('')} ORDER BY version LIMIT ?`,
    ).all(afterVersion, head, ...values, limit);
    const changes: RawEventChange[] = rows.map((row) => ({ ...eventOf(row), version: row.version }));
    const last = changes.at(-1);
    return { changes, version: changes.length === limit && last !== undefined ? last.version : head };
  }

  async prune(receivedBefore: string, limit: number): Promise<number> {
    this.assertOpen();
    return this.stmts.prune.run(receivedBefore, limit).changes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private write(batch: RawEventBatch): void {
    const s = this.stmts;
    let version = s.version.get()?.version ?? 0;
    for (const link of batch.links ?? []) {
      if (s.addLink.run(link.anonymousId, link.userId).changes === 0) continue;
      for (const row of s.unlinked.all(link.anonymousId)) s.setUserKey.run(link.userId, ++version, row.message_id);
    }
    const insert = (
      raw: IngestedEvent,
      mappedTo: string | undefined,
      status: string,
      journeyEvents: string,
      reason: string | null,
    ) =>
      s.insert.run(
        raw.messageId,
        raw.receivedAt,
        raw.timestamp,
        raw.type,
        raw.type === 'track' ? raw.event : null,
        raw.userId ?? null,
        raw.anonymousId ?? null,
        raw.userId ??
          mappedTo ??
          (raw.anonymousId === undefined ? undefined : s.link.get(raw.anonymousId)?.user_id) ??
          null,
        status,
        journeyEvents,
        reason,
        JSON.stringify(raw),
        ++version,
      );
    for (const outcome of batch.outcomes ?? []) {
      const journeyEvents = JSON.stringify(outcome.journeyEvents);
      const reason = outcome.reason ?? null;
      const row = s.get.get(outcome.event.messageId);
      if (row === undefined) insert(outcome.event, outcome.userId, outcome.status, journeyEvents, reason);
      else if (row.status !== outcome.status || row.journey_events !== journeyEvents || row.reason !== reason)
        s.setOutcome.run(outcome.status, journeyEvents, reason, ++version, outcome.event.messageId);
    }
    // after the outcomes: an event stored and mapped within one flush is written once, already mapped
    for (const raw of batch.stored ?? [])
      if (s.get.get(raw.messageId) === undefined) insert(raw, undefined, 'pending', '[]', null);
    s.setVersion.run(version);
  }

  private statement(sql: string): Database.Statement<unknown[], RawEventRow> {
    let statement = this.cached.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], RawEventRow>(sql);
      this.cached.set(sql, statement);
    }
    return statement;
  }

  private attached(): AttachedRawLog {
    if (this.rawLog === undefined)
      throw new UnavailableError(
        `the raw-event index on ${this.file} was opened without the raw log; pass rawLogFile to copy from it`,
      );
    return this.rawLog;
  }

  private assertOpen(): void {
    if (this.closed)
      throw new UnavailableError(`the raw-event index on ${this.file} is closed; open a new SqliteRawEventIndex`);
  }
}
