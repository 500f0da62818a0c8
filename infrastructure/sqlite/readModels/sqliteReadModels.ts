import { ReadModelsFacade } from '../../../application/ports/readModels/readModelsFacade.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import { READ_MODEL_CACHE_KIB, ReadModelBulkLoad } from './readModelBulkLoad.ts';
import { LIVE_READ_MODEL_TABLES, prepareReadModelStatements, type ReadModelTableNames } from './readModelTables.ts';
import { SqliteReadModelQueries } from './sqliteReadModelQueries.ts';
import { SqliteReadModelStore } from './sqliteReadModelStore.ts';
import { ensureStageWindow } from './stageDeltaTables.ts';

export type SqliteReadModelsOptions = {
  readonly busyTimeoutMs?: number;
  /** a rebuild writes shadow tables on the rebuild's own connection (see sqliteRebuildTarget.ts) */
  readonly database?: SqliteDatabase;
  readonly tables?: ReadModelTableNames;
  /** leave the secondary indexes to the caller (a rebuild builds them once, at the end) */
  readonly deferIndexes?: boolean;
  /**
   * This connection is the only writer of the tables (a rebuild's shadow): batches are
   * grouped as in a bulk load until `commitBulkLoad`, and empty users tables are mirrored.
   */
  readonly soleWriter?: boolean;
  /** the window W (`JOURNEY_ACTIVE_WINDOW_DAYS`) to keep the stage deltas for; unset: the file's */
  readonly windowDays?: number;
};

/**
 * Read models in one SQLite file, both ports on one connection: the store (projection side,
 * with its bulk-load collaborator) and the queries. synchronous=NORMAL: read models can be
 * rebuilt, and a lost last commit takes its checkpoint with it, so the batch is applied again.
 */
export class SqliteReadModels extends ReadModelsFacade {
  private readonly db: SqliteDatabase;
  protected override readonly store: SqliteReadModelStore;
  private readonly bulk: ReadModelBulkLoad;
  protected override readonly queries: SqliteReadModelQueries;
  private closed = false;

  /** `file`: the database file, or ':memory:'; other adapters may share it */
  constructor(
    private readonly file: string,
    private readonly options: SqliteReadModelsOptions = {},
  ) {
    super();
    this.db =
      options.database ??
      openDatabase(file, {
        synchronous: 'NORMAL',
        busyTimeoutMs: options.busyTimeoutMs,
        walAutocheckpointPages: 10_000,
        cacheSizeKiB: READ_MODEL_CACHE_KIB,
      });
    const tables = options.tables ?? LIVE_READ_MODEL_TABLES;
    const deferIndexes = options.deferIndexes ?? false;
    const stmts = prepareReadModelStatements(this.db, tables, { deferIndexes });
    ensureStageWindow(this.db, stmts.stages, options.windowDays);
    this.bulk = new ReadModelBulkLoad(this.db, stmts, tables, deferIndexes, options.soleWriter ?? false);
    this.store = new SqliteReadModelStore(this.db, stmts, this.bulk);
    this.queries = new SqliteReadModelQueries(this.db, stmts);
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.bulk.close();
    this.closed = true;
    if (this.options.database === undefined) this.db.close();
  }

  protected override assertOpen(): void {
    if (this.closed) {
      throw new UnavailableError(`the SQLite read models on ${this.file} are closed; open a new SqliteReadModels`);
    }
  }
}
