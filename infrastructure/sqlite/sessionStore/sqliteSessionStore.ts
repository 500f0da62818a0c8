import {
  type Position,
  positionFromString,
  positionToString,
  samePosition,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import type {
  SessionDayCount,
  SessionRange,
  SessionStore,
  SessionWriter,
  UserSessionTotals,
} from '../../../application/ports/sessionStore/sessionStore.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import { ensureIndexes } from '../secondaryIndexes.ts';
import { mergeBulkStages } from './bulkStages.ts';
import { SessionBulkLoad } from './sessionBulkLoad.ts';
import { FIRST, LAST, type SessionStatements, sessionStatements, statementWriter } from './sessionStatements.ts';
import { createSessionTables, LIVE_SESSION_TABLES, type SessionTableNames, sessionIndexes } from './sessionTables.ts';

export type SqliteSessionStoreOptions = {
  /** a connection to use (a rebuild's); this store then never closes it */
  readonly database?: SqliteDatabase;
  /** the tables to use (a rebuild's shadow tables) */
  readonly tables?: SessionTableNames;
  /** leave the secondary indexes to the caller (a rebuild builds them once at the end) */
  readonly deferIndexes?: boolean;
};

/** SQLite's default; a bulk load checkpoints every 40 MB of WAL instead */
const LIVE_AUTOCHECKPOINT_PAGES = 1_000;
const BULK_AUTOCHECKPOINT_PAGES = 10_000;

/** The sessions read model in its own SQLite file; rebuildable, so it commits with NORMAL. */
export class SqliteSessionStore implements SessionStore {
  private readonly db: SqliteDatabase;
  private readonly stmts: SessionStatements;
  private readonly writer: SessionWriter;
  private readonly tables: SessionTableNames;
  /** while a projection starting from nothing applies its backlog */
  private bulk: SessionBulkLoad | undefined;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly options: SqliteSessionStoreOptions = {},
  ) {
    // spread over many users, a commit dirties many pages: checkpoint the WAL a tenth as often as SQLite would
    this.db = options.database ?? openDatabase(file);
    const tables = options.tables ?? LIVE_SESSION_TABLES;
    this.tables = tables;
    createSessionTables(this.db, tables);
    mergeBulkStages(this.db, tables);
    if (!options.deferIndexes) ensureIndexes(this.db, sessionIndexes(tables));
    this.stmts = sessionStatements(this.db, tables);
    this.writer = statementWriter(this.stmts);
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    return this.checkpointNow(projection);
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: SessionWriter) => void,
  ): Promise<CheckpointResult> {
    this.assertOpen();
    if (this.bulk) return this.bulk.apply(projection, checkpoint, apply);
    return this.db
      .transaction((): CheckpointResult => {
        const current = this.checkpointNow(projection);
        if (!samePosition(current, checkpoint.from)) return { kind: 'mismatch', current };
        apply(this.writer);
        this.stmts.storeCheckpoint.run(projection, positionToString(checkpoint.to));
        return { kind: 'stored' };
      })
      .immediate();
  }

  /**
   * Both tables empty: batches are grouped in one transaction until `commitBulkLoad`, each
   * user's latest session is kept in memory, and the daily index waits for `endBulkLoad`.
   * Not on a rebuild's connection, whose owner commits and builds the indexes.
   */
  async beginBulkLoad(): Promise<boolean> {
    this.assertOpen();
    if (this.bulk) return true;
    if (this.options.database !== undefined || this.options.deferIndexes) return false;
    this.bulk = SessionBulkLoad.begin(this.db, this.stmts, this.tables, this.writer);
    // larger, rarer checkpoints only while loading: live, a 40 MB checkpoint's write-back makes the
    // raw log's and event store's durable commits wait behind it (docs/performance.md, alert latency)
    if (this.bulk) this.db.pragma(`wal_autocheckpoint = ${BULK_AUTOCHECKPOINT_PAGES}`);
    return this.bulk !== undefined;
  }

  async commitBulkLoad(): Promise<void> {
    this.bulk?.commit();
  }

  async endBulkLoad(): Promise<void> {
    const bulk = this.bulk;
    this.bulk = undefined;
    bulk?.end();
    if (bulk) this.db.pragma(`wal_autocheckpoint = ${LIVE_AUTOCHECKPOINT_PAGES}`);
  }

  async sessionsOf(userId: string, range: SessionRange = {}): Promise<Session[]> {
    this.assertOpen();
    const from = range.from === undefined ? FIRST[0] : Date.parse(range.from);
    const to = range.to === undefined ? LAST[0] : Date.parse(range.to);
    return this.stmts.sessionsOf.all(userId, from, to).map((row) => JSON.parse(row.data) as Session);
  }

  async sessionTotalsOf(userIds: readonly string[], range: Required<SessionRange>): Promise<UserSessionTotals[]> {
    this.assertOpen();
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    if (Number.isNaN(from) || Number.isNaN(to)) return [];
    // one read transaction: the page's users from one snapshot, without a lock per statement
    return this.db.transaction(() => {
      const totals: UserSessionTotals[] = [];
      for (const userId of userIds) {
        const row = this.stmts.totals.get({ userId, from, to });
        if (row !== undefined && row.sessions > 0) totals.push({ userId, ...row });
      }
      return totals;
    })();
  }

  async sessionsByDay(from: string, to: string): Promise<SessionDayCount[]> {
    this.assertOpen();
    return this.stmts.byDay.all(from, to);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // what a bulk load applied is a consistent prefix of the log, with its checkpoint
    this.bulk?.end();
    if (this.options.database === undefined) this.db.close();
  }

  private checkpointNow(projection: string): Position | null {
    const row = this.stmts.checkpoint.get(projection);
    return row === undefined ? null : positionFromString(row.position);
  }

  private assertOpen(): void {
    if (this.closed)
      throw new UnavailableError(`the SQLite session store on ${this.file} is closed; open a new SqliteSessionStore`);
  }
}
