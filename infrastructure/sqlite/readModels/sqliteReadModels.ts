import type Database from 'better-sqlite3';
import {
  comparePositions,
  type Position,
  positionFromString,
  positionToString,
} from '../../../application/ports/eventStore/eventStore.ts';
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
import { checkWindowDays, DEFAULT_WINDOW_DAYS, stageCountsOf } from '../../../domain/stage/stageChanges.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import { dropIndexes, ensureIndexes } from '../secondaryIndexes.ts';
import {
  LIVE_READ_MODEL_TABLES,
  prepareReadModelStatements,
  type ReadModelStatements,
  type ReadModelTableNames,
  readModelIndexes,
  toTimelineEntry,
  toUserProfile,
} from './readModelTables.ts';
import { prepareReportStatements } from './reportStatements.ts';
import { SqliteBatchWriter } from './sqliteBatchWriter.ts';
import { MIRROR_MAX_USERS, UsersMirror } from './usersMirror.ts';

export type SqliteReadModelsOptions = {
  readonly busyTimeoutMs?: number;
  /** a rebuild writes shadow tables on the rebuild's own connection (see sqliteRebuildTarget.ts) */
  readonly database?: SqliteDatabase;
  readonly tables?: ReadModelTableNames;
  /** leave the secondary indexes to the caller (a rebuild builds them once, at the end) */
  readonly deferIndexes?: boolean;
  /**
   * This connection is the only writer of the tables (a rebuild's shadow): batches are
   * grouped as in a bulk load until `commitBulkLoad` (except inside a transaction the owner
   * opened), and when the users tables are empty at open they are copied in memory.
   */
  readonly soleWriter?: boolean;
  /**
   * The window W (`JOURNEY_ACTIVE_WINDOW_DAYS`) to keep the stage deltas for. When the file
   * keeps them for another W, or has none yet (a new file, or one written before they
   * existed), opening derives them all again from users and activity days, in one write
   * transaction. Unset: keep whatever W the file has (15 for a new file).
   */
  readonly windowDays?: number;
};

const CACHE_KIB = 32_768;
/** a bulk load's cache: the pages its open transaction touches (a million events: about 200 MB of tables) */
const BULK_CACHE_KIB = 262_144;

type ApplyArgs = [projection: string, from: Position | null, to: Position, apply: (writer: ReadModelWriter) => void];

const samePosition = (a: Position | null, b: Position | null): boolean =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;

/**
 * Read models in SQLite: the projection side and the query side on one connection.
 * synchronous=NORMAL: read models can always be rebuilt from the event store, and a lost
 * last commit takes its checkpoint with it, so the batch is simply applied again.
 */
export class SqliteReadModels implements ReadModelStore, ReadModelQueries {
  private readonly db: SqliteDatabase;
  private readonly stmts: ReadModelStatements;
  private readonly applyTx: Database.Transaction<(...args: ApplyArgs) => CheckpointResult>;
  private closed = false;
  private reportStatements: ReturnType<typeof prepareReportStatements> | undefined;
  private readonly ownsDatabase: boolean;
  private readonly tables: ReadModelTableNames;
  private readonly indexesDeferred: boolean;
  /** while filling the users tables from empty (a bulk load, a rebuild's shadow) */
  private mirror: UsersMirror | undefined;
  /** batches go into one open write transaction until `commitBulkLoad` (a bulk load, a shadow) */
  private grouping = false;
  /** a bulk load's open write transaction: its batches share one writer until `commitBulkLoad` */
  private group:
    | { readonly projection: string; readonly writer: SqliteBatchWriter; checkpoint: Position | null }
    | undefined;

  /** `file`: the database file, or ':memory:'; other adapters may share it */
  constructor(
    private readonly file: string,
    options: SqliteReadModelsOptions = {},
  ) {
    this.ownsDatabase = options.database === undefined;
    this.db =
      options.database ??
      openDatabase(file, {
        synchronous: 'NORMAL',
        busyTimeoutMs: options.busyTimeoutMs,
        walAutocheckpointPages: 10_000,
        cacheSizeKiB: CACHE_KIB,
      });
    this.tables = options.tables ?? LIVE_READ_MODEL_TABLES;
    this.indexesDeferred = options.deferIndexes ?? false;
    this.stmts = prepareReadModelStatements(this.db, this.tables, { deferIndexes: this.indexesDeferred });
    this.ensureStageWindow(options.windowDays);
    this.grouping = options.soleWriter ?? false;
    if (options.soleWriter && this.usersTablesEmpty()) this.mirror = new UsersMirror(this.schemaVersion());
    this.applyTx = this.db.transaction((...[projection, from, to, apply]: ApplyArgs): CheckpointResult => {
      const current = this.checkpointNow(projection);
      if (!samePosition(current, from)) return { kind: 'mismatch', current };
      const writer = new SqliteBatchWriter(this.stmts, this.currentMirror());
      apply(writer);
      writer.flush();
      this.stmts.storeCheckpoint.run(projection, positionToString(to));
      return { kind: 'stored' };
    });
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    return this.checkpointNow(projection);
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    this.assertOpen();
    if (this.grouping && (this.group || !this.db.inTransaction))
      return this.applyToGroup(projection, checkpoint, apply);
    // IMMEDIATE: the checkpoint is read and then written, and a second projector process
    // must wait for the lock rather than fail to upgrade it
    let result: CheckpointResult;
    try {
      result = this.applyTx.immediate(projection, checkpoint.from, checkpoint.to, apply);
    } catch (error) {
      this.mirror = undefined; // it holds what the failed batch wrote
      throw error;
    }
    if (result.kind === 'mismatch') this.mirror = undefined; // another writer: the copy may be stale
    return result;
  }

  /** a bulk load's batch: applied to the open group's writer, written by `commitBulkLoad` */
  private applyToGroup(
    projection: string,
    { from, to }: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): CheckpointResult {
    if (this.group && this.group.projection !== projection) this.commitGroup();
    if (!this.group) {
      this.db.exec('BEGIN IMMEDIATE');
      const current = this.checkpointNow(projection);
      if (!samePosition(current, from)) {
        this.db.exec('ROLLBACK');
        this.mirror = undefined;
        return { kind: 'mismatch', current };
      }
      this.group = { projection, writer: new SqliteBatchWriter(this.stmts, this.currentMirror()), checkpoint: from };
    }
    const group = this.group;
    if (!samePosition(group.checkpoint, from)) return { kind: 'mismatch', current: group.checkpoint };
    try {
      apply(group.writer);
    } catch (error) {
      this.rollbackGroup();
      throw error;
    }
    group.checkpoint = to;
    return { kind: 'stored' };
  }

  /** writes the open group's users, days and stage deltas once each, its checkpoint, and commits */
  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    try {
      group.writer.flush();
      if (group.checkpoint) this.stmts.storeCheckpoint.run(group.projection, positionToString(group.checkpoint));
      this.db.exec('COMMIT');
      this.group = undefined;
    } catch (error) {
      this.rollbackGroup();
      throw error;
    }
    if (this.mirror && this.mirror.size > MIRROR_MAX_USERS) this.mirror = undefined;
  }

  private rollbackGroup(): void {
    this.group = undefined;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.mirror = undefined; // it holds what the rolled back batches wrote
  }

  /**
   * A projection that starts from nothing applies its whole backlog at once. When every
   * read-model table in this file is still empty:
   * - the query indexes are dropped: keeping them up to date row by row costs more than
   *   building them once at the end (the timeline's per-user index: about a third of its
   *   CPU); `endBulkLoad`, or the next open, builds them again; queries stay correct, only slower;
   * - batches share one write transaction and one writer until `commitBulkLoad`: each user
   *   touched meanwhile is written once, and its pages once (per-batch flushes and commits
   *   were half of the users projection's time); a page cache holds what they touch;
   * - the users tables are copied in memory as they fill (usersMirror.ts).
   */
  async beginBulkLoad(): Promise<boolean> {
    this.assertOpen();
    if (this.indexesDeferred) return false; // the owner (a rebuild) builds them itself
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

  async commitBulkLoad(): Promise<void> {
    this.assertOpen();
    this.commitGroup();
  }

  async endBulkLoad(): Promise<void> {
    this.assertOpen();
    if (this.grouping) {
      await this.commitBulkLoad();
      this.grouping = false;
      this.db.pragma(`cache_size = -${CACHE_KIB}`);
    }
    this.mirror = undefined;
    this.db.transaction(() => ensureIndexes(this.db, readModelIndexes(this.tables))).immediate();
  }

  async getJourney(userId: string, options: { readonly limit?: number } = {}): Promise<TimelineEntry[]> {
    this.assertOpen();
    return this.stmts.journey.all(userId, options.limit ?? -1).map(toTimelineEntry);
  }

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    this.assertOpen();
    const row = this.stmts.user.get(userId);
    return row === undefined ? undefined : toUserProfile(row);
  }

  async getProfiles(userIds: readonly string[]): Promise<UserProfile[]> {
    this.assertOpen();
    if (userIds.length === 0) return [];
    return this.stmts.users.all(JSON.stringify(userIds)).map(toUserProfile);
  }

  async stageSummaries(asOf: string): Promise<StageSummary[]> {
    this.assertOpen();
    return this.stmts.stageSummaries.all({ asOf: canonicalInstant(asOf, 'asOf') }).map((row) => ({
      userId: row.user_id,
      signedUpAt: row.signed_up_at,
      activeDays: row.active_days,
      lastActivityAt: row.last_activity_at,
    }));
  }

  async stageSummary(userId: string, asOf: string): Promise<StageSummary | undefined> {
    this.assertOpen();
    const row = this.stmts.stageSummary.get({ asOf: canonicalInstant(asOf, 'asOf'), userId });
    return (
      row && {
        userId: row.user_id,
        signedUpAt: row.signed_up_at,
        activeDays: row.active_days,
        lastActivityAt: row.last_activity_at,
      }
    );
  }

  async stageCounts(asOf: string, windowDays: number): Promise<Record<Stage, number> | undefined> {
    this.assertOpen();
    const t = Date.parse(canonicalInstant(asOf, 'asOf'));
    // one read transaction: the window and the sums from the same snapshot
    return this.db.transaction(() => {
      if (this.stmts.stages.windowDays() !== windowDays) return undefined;
      return stageCountsOf(this.stmts.stages.sumAt(t));
    })();
  }

  async countSignups(after: string, until: string): Promise<number> {
    this.assertOpen();
    const row = this.stmts.countSignups.get(canonicalInstant(after, 'after'), canonicalInstant(until, 'until'));
    return row?.n ?? 0;
  }
  async signupsByDay(from: string, to: string): Promise<DayCount[]> {
    return this.db
      .prepare<[from: string, until: string], { date: string; count: number }>(
        `SELECT substr(signed_up_at, 1, 10) AS date, COUNT(*) AS count FROM users
         WHERE signed_up_at >= ? AND signed_up_at <= ? GROUP BY date ORDER BY date`,
      )
      .all(`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`);
  }

  async searchUsers(prefix: string, limit: number): Promise<UserProfile[]> {
    this.assertOpen();
    // the highest code point after a prefix bounds every text that starts with it
    const byId = this.stmts.searchUsersById.all({ from: prefix, to: `${prefix}\u{10FFFF}`, limit });
    if (byId.length >= limit) return byId.map(toUserProfile);
    const email = prefix.replace(/[A-Z]/g, (c) => c.toLowerCase());
    // users found by id may match by email too: ask for enough to fill the limit without them
    const byEmail = this.stmts.searchUsersByEmail
      .all({ from: email, to: `${email}\u{10FFFF}`, limit: limit + byId.length })
      .filter((row) => !row.user_id.startsWith(prefix));
    return [...byId, ...byEmail].slice(0, limit).map(toUserProfile);
  }

  async activityHistory(asOf: string): Promise<ActivityHistory[]> {
    this.assertOpen();
    this.reportStatements ??= prepareReportStatements(this.db);
    return this.reportStatements.activityHistory(canonicalInstant(asOf, 'asOf'));
  }

  async latestEvents(asOf: string, perUser: number): Promise<LatestEvents[]> {
    this.assertOpen();
    this.reportStatements ??= prepareReportStatements(this.db);
    return this.reportStatements.latestEvents(canonicalInstant(asOf, 'asOf'), perUser);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // what a bulk load applied is a consistent prefix of the log, with its checkpoint
    if (this.grouping) this.commitGroup();
    this.closed = true;
    if (this.ownsDatabase) this.db.close();
  }

  private ensureStageWindow(wanted: number | undefined): void {
    if (wanted !== undefined) checkWindowDays(wanted);
    const stale = () => {
      const stored = this.stmts.stages.windowDays();
      return stored === undefined || (wanted !== undefined && stored !== wanted);
    };
    if (!stale()) return;
    this.db
      .transaction(() => {
        if (stale()) this.stmts.stages.rederive(wanted ?? this.stmts.stages.windowDays() ?? DEFAULT_WINDOW_DAYS);
      })
      .immediate();
  }

  /** the copy of the users tables, unless a rebuild swapped other tables in since it was started */
  private currentMirror(): UsersMirror | undefined {
    if (this.mirror && this.schemaVersion() !== this.mirror.schemaVersion) this.mirror = undefined;
    return this.mirror;
  }

  private usersTablesEmpty(): boolean {
    return [this.tables.users, this.tables.activityDays].every(
      (table) => this.db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() === undefined,
    );
  }

  private schemaVersion(): number {
    return this.db.pragma('schema_version', { simple: true }) as number;
  }

  private checkpointNow(projection: string): Position | null {
    const row = this.stmts.checkpoint.get(projection);
    return row === undefined ? null : positionFromString(row.position);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new UnavailableError(`the SQLite read models on ${this.file} are closed; open a new SqliteReadModels`);
    }
  }
}
