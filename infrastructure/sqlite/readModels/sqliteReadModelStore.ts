import type Database from 'better-sqlite3';
import { type Position, positionToString, samePosition } from '../../../application/ports/eventStore/eventStore.ts';
import type {
  CheckpointResult,
  ReadModelStore,
  ReadModelWriter,
} from '../../../application/ports/readModels/readModels.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import type { ReadModelBulkLoad } from './readModelBulkLoad.ts';
import { storedCheckpoint } from './readModelCheckpoint.ts';
import type { ReadModelStatements } from './readModelTables.ts';
import { SqliteBatchWriter } from './sqliteBatchWriter.ts';

type ApplyArgs = [projection: string, from: Position | null, to: Position, apply: (writer: ReadModelWriter) => void];

/**
 * The projection side of the SQLite read models: each batch and its checkpoint in one
 * transaction, or, while the bulk-load collaborator groups batches, in its open one.
 */
export class SqliteReadModelStore implements Omit<ReadModelStore, 'close'> {
  private readonly applyTx: Database.Transaction<(...args: ApplyArgs) => CheckpointResult>;

  constructor(
    db: SqliteDatabase,
    private readonly stmts: ReadModelStatements,
    private readonly bulk: ReadModelBulkLoad,
  ) {
    this.applyTx = db.transaction((...[projection, from, to, apply]: ApplyArgs): CheckpointResult => {
      const current = storedCheckpoint(this.stmts, projection);
      if (!samePosition(current, from)) return { kind: 'mismatch', current };
      const writer = new SqliteBatchWriter(this.stmts, this.bulk.currentMirror());
      apply(writer);
      writer.flush();
      this.stmts.storeCheckpoint.run(projection, positionToString(to));
      return { kind: 'stored' };
    });
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    return storedCheckpoint(this.stmts, projection);
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    if (this.bulk.takesBatches) return this.bulk.apply(projection, checkpoint, apply);
    // IMMEDIATE: the checkpoint is read and then written, and a second projector process
    // must wait for the lock rather than fail to upgrade it
    let result: CheckpointResult;
    try {
      result = this.applyTx.immediate(projection, checkpoint.from, checkpoint.to, apply);
    } catch (error) {
      this.bulk.dropMirror(); // it holds what the failed batch wrote
      throw error;
    }
    if (result.kind === 'mismatch') this.bulk.dropMirror(); // another writer: the copy may be stale
    return result;
  }

  async beginBulkLoad(): Promise<boolean> {
    return this.bulk.begin();
  }

  async commitBulkLoad(): Promise<void> {
    this.bulk.commit();
  }

  async endBulkLoad(): Promise<void> {
    this.bulk.end();
  }
}
