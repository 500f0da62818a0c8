import type Database from 'better-sqlite3';
import type { AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import {
  type Position,
  positionFromString,
  positionToString,
  samePosition,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import type { AlertStatements } from './alertTables.ts';
import { SqliteAlertWriter } from './sqliteAlertWriter.ts';

/**
 * The alert projection's side of `alerts.db`: its state and checkpoint, moved together in one
 * transaction per batch, or, for a sole writer (a rebuild's shadow), in one transaction
 * shared by its batches until `commitBulkLoad`.
 */
export class SqliteAlertState {
  private readonly writer: SqliteAlertWriter;
  private readonly tx: Database.Transaction<(apply: (writer: AlertWriter) => unknown) => unknown>;
  /** a transaction this store began for its batches (`soleWriter`), committed by `commitBulkLoad` */
  private groupOpen = false;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly stmts: AlertStatements,
    private readonly options: {
      readonly soleWriter: boolean;
      readonly raiseNothing: boolean;
      /** after a commit that raised alerts */
      readonly onRaised: () => void;
    },
  ) {
    this.writer = new SqliteAlertWriter(stmts, {
      raiseNothing: options.raiseNothing,
      cacheState: options.soleWriter && stmts.stateIsEmpty(),
    });
    this.tx = db.transaction((apply: (writer: AlertWriter) => unknown) => apply(this.writer));
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    return this.checkpointNow(projection);
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AlertWriter) => void,
  ): Promise<CheckpointResult> {
    if (this.options.soleWriter && !this.db.inTransaction) {
      this.db.exec('BEGIN IMMEDIATE');
      this.groupOpen = true;
    }
    try {
      // inside the group, each batch is a savepoint
      return await this.update((writer): CheckpointResult => {
        const current = this.checkpointNow(projection);
        if (!samePosition(current, checkpoint.from)) return { kind: 'mismatch', current };
        apply(writer);
        // outside a group of ours (an owner's transaction, a swap) the state goes with the batch
        if (!this.groupOpen) this.writer.writeBackState();
        this.stmts.storeCheckpoint.run(projection, positionToString(checkpoint.to));
        return { kind: 'stored' };
      });
    } catch (error) {
      this.writer.dropStateCache(); // it holds what the failed batch wrote
      if (this.groupOpen) {
        this.groupOpen = false;
        this.db.exec('ROLLBACK');
      }
      throw error;
    }
  }

  async commitBulkLoad(): Promise<void> {
    if (!this.groupOpen) return;
    this.groupOpen = false;
    try {
      this.writer.writeBackState();
      this.db.exec('COMMIT');
    } catch (error) {
      this.writer.dropStateCache();
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async update<T>(apply: (writer: AlertWriter) => T): Promise<T> {
    this.writer.raised = 0;
    // IMMEDIATE: state is read then written, and another process must wait for the lock
    const result = this.tx.immediate(apply) as T;
    if (this.writer.raised > 0) this.options.onRaised();
    return result;
  }

  async resetProjection(projection: string): Promise<void> {
    this.db
      .transaction(() => {
        this.stmts.clearState();
        this.stmts.deleteCheckpoint.run(projection);
      })
      .immediate();
  }

  private checkpointNow(projection: string): Position | null {
    const row = this.stmts.checkpoint.get(projection);
    return row === undefined ? null : positionFromString(row.position);
  }
}
