import {
  comparePositions,
  type Position,
  positionFromString,
  positionToString,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import type { SessionWriter } from '../../../application/ports/sessionStore/sessionStore.ts';
import { DEFAULT_CACHE_KIB, type SqliteDatabase } from '../openDatabase.ts';
import { dropIndexes, ensureIndexes } from '../secondaryIndexes.ts';
import { ActivityStage, mergeActivityStage } from './activityStage.ts';
import { BulkSessionWriter } from './bulkSessionWriter.ts';
import type { SessionStatements } from './sessionStatements.ts';
import { type SessionTableNames, sessionIndexes } from './sessionTables.ts';

/** the pages a bulk load's open transaction touches, so each is written once per commit */
const BULK_CACHE_KIB = 262_144;

export const samePosition = (a: Position | null, b: Position | null): boolean =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;

/**
 * A sessions projection starting from nothing: its batches share one write transaction and
 * one BulkSessionWriter until `commit`, and the daily index is built once by `end`.
 */
export class SessionBulkLoad {
  private writer: BulkSessionWriter;
  /** the open write transaction */
  private group: { readonly projection: string; checkpoint: Position | null } | undefined;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly stmts: SessionStatements,
    private readonly tables: SessionTableNames,
    private readonly statements: SessionWriter,
  ) {
    this.writer = new BulkSessionWriter(statements, new ActivityStage(db, tables));
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
    { from, to }: { readonly from: Position | null; readonly to: Position },
    apply: (writer: SessionWriter) => void,
  ): CheckpointResult {
    if (this.group && this.group.projection !== projection) this.commit();
    if (!this.group) {
      this.db.exec('BEGIN IMMEDIATE');
      const row = this.stmts.checkpoint.get(projection);
      const current = row === undefined ? null : positionFromString(row.position);
      if (!samePosition(current, from)) {
        this.db.exec('ROLLBACK');
        return { kind: 'mismatch', current };
      }
      this.group = { projection, checkpoint: from };
    }
    const group = this.group;
    if (!samePosition(group.checkpoint, from)) return { kind: 'mismatch', current: group.checkpoint };
    try {
      apply(this.writer);
    } catch (error) {
      this.rollback();
      throw error;
    }
    group.checkpoint = to;
    return { kind: 'stored' };
  }

  /** writes the sessions held and the checkpoint, and commits */
  commit(): void {
    const group = this.group;
    if (!group) return;
    try {
      this.writer.flush();
      if (group.checkpoint) this.stmts.storeCheckpoint.run(group.projection, positionToString(group.checkpoint));
      this.db.exec('COMMIT');
      this.group = undefined;
    } catch (error) {
      this.rollback();
      throw error;
    }
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

  private rollback(): void {
    this.group = undefined;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    // it holds what the rolled back batches wrote; the stage's keys too, so the rest goes to the table
    mergeActivityStage(this.db, this.tables);
    this.writer = new BulkSessionWriter(this.statements, undefined);
  }
}
