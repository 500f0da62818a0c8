import {
  type Position,
  positionFromString,
  positionToString,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import type { SessionWriter } from '../../../application/ports/sessionStore/sessionStore.ts';
import { GroupedTransaction } from '../groupedTransaction.ts';
import { DEFAULT_CACHE_KIB, type SqliteDatabase } from '../openDatabase.ts';
import { dropIndexes, ensureIndexes } from '../secondaryIndexes.ts';
import { BulkSessionWriter } from './bulkSessionWriter.ts';
import { ActivityStage, mergeBulkStages, SessionStage } from './bulkStages.ts';
import type { SessionStatements } from './sessionStatements.ts';
import { type SessionTableNames, sessionIndexes } from './sessionTables.ts';

/** the pages a bulk load's open transaction touches, so each is written once per commit */
const BULK_CACHE_KIB = 262_144;

/**
 * A sessions projection starting from nothing: its batches share one write transaction and
 * one BulkSessionWriter until `commit`, and the daily index is built once by `end`.
 */
export class SessionBulkLoad {
  private writer: BulkSessionWriter;
  /** the open write transaction */
  private readonly transaction: GroupedTransaction<BulkSessionWriter>;

  private constructor(
    private readonly db: SqliteDatabase,
    stmts: SessionStatements,
    private readonly tables: SessionTableNames,
    statements: SessionWriter,
  ) {
    this.writer = new BulkSessionWriter(statements, {
      activity: new ActivityStage(db, tables),
      sessions: new SessionStage(db, tables),
    });
    this.transaction = new GroupedTransaction(db, {
      readCheckpoint: (projection) => {
        const row = stmts.checkpoint.get(projection);
        return row === undefined ? null : positionFromString(row.position);
      },
      storeCheckpoint: (projection, position) => stmts.storeCheckpoint.run(projection, positionToString(position)),
      openWriter: () => this.writer,
      flush: (writer) => writer.flush(),
      // the writer holds what the rolled back batches wrote: what was committed goes to the tables
      discard: () => {
        mergeBulkStages(db, tables);
        this.writer = new BulkSessionWriter(statements, undefined);
      },
    });
  }

  /** a bulk load when both tables are still empty (their index dropped), else undefined */
  static begin(
    db: SqliteDatabase,
    stmts: SessionStatements,
    tables: SessionTableNames,
    statements: SessionWriter,
  ): SessionBulkLoad | undefined {
    const empty = db
      .transaction(() => {
        const empty = [tables.activity, tables.sessions].every(
          (table) => db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() === undefined,
        );
        if (empty) dropIndexes(db, sessionIndexes(tables));
        return empty;
      })
      .immediate();
    if (!empty) return undefined;
    db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
    return new SessionBulkLoad(db, stmts, tables, statements);
  }

  apply(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: SessionWriter) => void,
  ): CheckpointResult {
    return this.transaction.apply(projection, checkpoint, apply);
  }

  /** writes the sessions held and the checkpoint, and commits */
  commit(): void {
    this.transaction.commit();
  }

  /** commits what is left, moves the staged activity into its table and builds the daily index */
  end(): void {
    this.commit();
    this.db
      .transaction(() => {
        this.writer.finish();
        ensureIndexes(this.db, sessionIndexes(this.tables));
      })
      .immediate();
    this.db.pragma(`cache_size = -${DEFAULT_CACHE_KIB}`);
  }
}
