import { type Position, positionToString } from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult, ReadModelWriter } from '../../../application/ports/readModels/readModels.ts';
import { GroupedTransaction } from '../groupedTransaction.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { dropIndexes, ensureIndexes } from '../secondaryIndexes.ts';
import { storedCheckpoint } from './readModelCheckpoint.ts';
import { type ReadModelStatements, type ReadModelTableNames, readModelIndexes } from './readModelTables.ts';
import { SqliteBatchWriter } from './sqliteBatchWriter.ts';
import { MIRROR_MAX_USERS, UsersMirror } from './usersMirror.ts';

/** the connection's page cache outside a bulk load (32 MiB per connection, five of them, grew RSS through a soak) */
export const READ_MODEL_CACHE_KIB = 8_192;
/** a bulk load's cache: the pages its open transaction touches, so they are written once per commit */
const BULK_CACHE_KIB = 262_144;

/**
 * Bulk loads and group commit for one read-model connection: while grouping (a bulk load, a
 * rebuild's shadow) batches share one write transaction and one writer until `commit`, and
 * the users tables are copied in memory as they fill (usersMirror.ts).
 */
export class ReadModelBulkLoad {
  /** while filling the users tables from empty (a bulk load, a rebuild's shadow) */
  private mirror: UsersMirror | undefined;
  private grouping: boolean;
  /** the open write transaction: its batches share one writer until `commit` */
  private readonly transaction: GroupedTransaction<SqliteBatchWriter>;

  constructor(
    private readonly db: SqliteDatabase,
    stmts: ReadModelStatements,
    private readonly tables: ReadModelTableNames,
    /** the owner (a rebuild) builds the secondary indexes itself */
    private readonly indexesDeferred: boolean,
    soleWriter: boolean,
  ) {
    this.grouping = soleWriter;
    if (soleWriter && this.usersTablesEmpty()) this.mirror = new UsersMirror(this.schemaVersion());
    this.transaction = new GroupedTransaction(db, {
      readCheckpoint: (projection) => storedCheckpoint(stmts, projection),
      storeCheckpoint: (projection, position) => stmts.storeCheckpoint.run(projection, positionToString(position)),
      openWriter: () => new SqliteBatchWriter(stmts, this.currentMirror()),
      flush: (writer) => writer.flush(),
      // the copy holds what the rolled back batches wrote, or disagrees with another writer's
      discard: () => {
        this.mirror = undefined;
      },
    });
  }

  /** whether the next batch joins the group (not inside a transaction an owner opened) */
  get takesBatches(): boolean {
    return this.grouping && (this.transaction.open || !this.db.inTransaction);
  }

  /** a batch applied to the open group's writer, written by `commit` */
  apply(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): CheckpointResult {
    return this.transaction.apply(projection, checkpoint, apply);
  }

  /** writes the open group's users, days and stage deltas once each, its checkpoint, and commits */
  commit(): void {
    this.transaction.commit();
    if (this.mirror && this.mirror.size > MIRROR_MAX_USERS) this.mirror = undefined;
  }

  /**
   * Starts a bulk load when every read-model table in this file is still empty: the query
   * indexes are dropped (built once by `end`, or the next open), batches are grouped, a large
   * page cache holds what they touch, and the users tables are mirrored in memory.
   */
  begin(): boolean {
    if (this.indexesDeferred) return false;
    const empty = this.db
      .transaction(() => {
        // content tables only: stage_window holds the window W the stage deltas are kept for
        const { stageWindow: _, ...content } = this.tables;
        const empty = Object.values(content).every(
          (table: string) => this.db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() === undefined,
        );
        if (empty) dropIndexes(this.db, readModelIndexes(this.tables));
        return empty;
      })
      .immediate();
    if (empty) {
      this.grouping = true;
      this.db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
      this.mirror = new UsersMirror(this.schemaVersion());
    }
    return empty;
  }

  /** commits what is left, stops grouping and builds the query indexes */
  end(): void {
    if (this.grouping) {
      this.commit();
      this.grouping = false;
      this.db.pragma(`cache_size = -${READ_MODEL_CACHE_KIB}`);
    }
    this.mirror = undefined;
    this.db.transaction(() => ensureIndexes(this.db, readModelIndexes(this.tables))).immediate();
  }

  /** what a bulk load applied is a consistent prefix of the log, with its checkpoint */
  close(): void {
    if (this.grouping) this.commit();
  }

  /** the copy of the users tables, unless a rebuild swapped other tables in since it was started */
  currentMirror(): UsersMirror | undefined {
    if (this.mirror && this.schemaVersion() !== this.mirror.schemaVersion) this.mirror = undefined;
    return this.mirror;
  }

  /** after a failed batch or another writer's: the copy may disagree with the tables */
  dropMirror(): void {
    this.mirror = undefined;
  }

  private usersTablesEmpty(): boolean {
    return [this.tables.users, this.tables.activityDays].every(
      (table) => this.db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() === undefined,
    );
  }

  private schemaVersion(): number {
    return this.db.pragma('schema_version', { simple: true }) as number;
  }
}
