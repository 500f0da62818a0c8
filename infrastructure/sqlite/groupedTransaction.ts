import { type Position, samePosition } from '../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../application/ports/readModels/readModels.ts';
import type { SqliteDatabase } from './openDatabase.ts';

/** what a grouped transaction needs of its store */
export type GroupedTransactionParts<Writer> = {
  readCheckpoint(projection: string): Position | null;
  storeCheckpoint(projection: string, position: Position): void;
  /** the writer the group's batches share, once its transaction is open */
  openWriter(): Writer;
  /** writes what the writer held back, just before the commit */
  flush(writer: Writer): void;
  /** after a rollback, or a checkpoint found moved when the group opened: drop what is held in memory */
  discard(): void;
};

/**
 * Batches of one projection in one write transaction until `commit`, as a bulk load groups them:
 * the checkpoint is checked when the transaction opens and stored at the commit, a batch that
 * throws rolls the whole group back. Shared by the read models' and the sessions' bulk loads.
 */
export class GroupedTransaction<Writer> {
  private group: { readonly projection: string; readonly writer: Writer; checkpoint: Position | null } | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly parts: GroupedTransactionParts<Writer>,
  ) {}

  get open(): boolean {
    return this.group !== undefined;
  }

  apply(
    projection: string,
    { from, to }: { readonly from: Position | null; readonly to: Position },
    apply: (writer: Writer) => void,
  ): CheckpointResult {
    if (this.group && this.group.projection !== projection) this.commit();
    if (!this.group) {
      this.db.exec('BEGIN IMMEDIATE');
      const current = this.parts.readCheckpoint(projection);
      if (!samePosition(current, from)) {
        this.db.exec('ROLLBACK');
        this.parts.discard();
        return { kind: 'mismatch', current };
      }
      this.group = { projection, writer: this.parts.openWriter(), checkpoint: from };
    }
    const group = this.group;
    if (!samePosition(group.checkpoint, from)) return { kind: 'mismatch', current: group.checkpoint };
    try {
      apply(group.writer);
    } catch (error) {
      this.rollback();
      throw error;
    }
    group.checkpoint = to;
    return { kind: 'stored' };
  }

  /** writes what the group's writer holds and its checkpoint, and commits */
  commit(): void {
    const group = this.group;
    if (!group) return;
    try {
      this.parts.flush(group.writer);
      if (group.checkpoint) this.parts.storeCheckpoint(group.projection, group.checkpoint);
      this.db.exec('COMMIT');
      this.group = undefined;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  private rollback(): void {
    this.group = undefined;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.parts.discard();
  }
}
