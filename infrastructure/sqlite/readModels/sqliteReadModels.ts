import type { Position } from '../../../application/ports/eventStore/eventStore.ts';
import type {
  ActivityHistory,
  CheckpointResult,
  DayCount,
  LatestEvents,
  ReadModelQueries,
  ReadModelStore,
  ReadModelWriter,
  StageSummary,
  TimelineEntry,
  UserProfile,
} from '../../../application/ports/readModels/readModels.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import type { Stage } from '../../../domain/stage/stage.ts';
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
export class SqliteReadModels implements ReadModelStore, ReadModelQueries {
  private readonly db: SqliteDatabase;
  private readonly store: SqliteReadModelStore;
  private readonly bulk: ReadModelBulkLoad;
  private readonly queries: SqliteReadModelQueries;
  private closed = false;

  /** `file`: the database file, or ':memory:'; other adapters may share it */
  constructor(
    private readonly file: string,
    private readonly options: SqliteReadModelsOptions = {},
  ) {
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

  async readCheckpoint(projection: string): Promise<Position | null> {
    return this.open().store.readCheckpoint(projection);
  }
  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    return this.open().store.applyBatch(projection, checkpoint, apply);
  }
  /** see CheckpointedStore.beginBulkLoad and readModelBulkLoad.ts */
  async beginBulkLoad(): Promise<boolean> {
    return this.open().store.beginBulkLoad();
  }
  async commitBulkLoad(): Promise<void> {
    return this.open().store.commitBulkLoad();
  }
  async endBulkLoad(): Promise<void> {
    return this.open().store.endBulkLoad();
  }

  async getJourney(userId: string, options?: { readonly limit?: number }): Promise<TimelineEntry[]> {
    return this.open().queries.getJourney(userId, options);
  }
  async getProfile(userId: string): Promise<UserProfile | undefined> {
    return this.open().queries.getProfile(userId);
  }
  async getProfiles(userIds: readonly string[]): Promise<UserProfile[]> {
    return this.open().queries.getProfiles(userIds);
  }
  async stageSummaries(asOf: string): Promise<StageSummary[]> {
    return this.open().queries.stageSummaries(asOf);
  }
  async stageSummary(userId: string, asOf: string): Promise<StageSummary | undefined> {
    return this.open().queries.stageSummary(userId, asOf);
  }
  async stageCounts(asOf: string, windowDays: number): Promise<Record<Stage, number> | undefined> {
    return this.open().queries.stageCounts(asOf, windowDays);
  }
  async countSignups(after: string, until: string): Promise<number> {
    return this.open().queries.countSignups(after, until);
  }
  async signupsByDay(from: string, to: string): Promise<DayCount[]> {
    return this.open().queries.signupsByDay(from, to);
  }
  async searchUsers(prefix: string, limit: number): Promise<UserProfile[]> {
    return this.open().queries.searchUsers(prefix, limit);
  }
  async activityHistory(asOf: string): Promise<ActivityHistory[]> {
    return this.open().queries.activityHistory(asOf);
  }
  async latestEvents(asOf: string, perUser: number): Promise<LatestEvents[]> {
    return this.open().queries.latestEvents(asOf, perUser);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.bulk.close();
    this.closed = true;
    if (this.options.database === undefined) this.db.close();
  }

  private open(): this {
    if (this.closed) {
      throw new UnavailableError(`the SQLite read models on ${this.file} are closed; open a new SqliteReadModels`);
    }
    return this;
  }
}
