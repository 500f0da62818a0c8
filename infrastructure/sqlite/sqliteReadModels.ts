import type Database from 'better-sqlite3';
import { comparePositions, type Position, positionFromString, positionToString } from '../../application/eventStore.ts';
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
} from '../../application/readModels.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import { checkWindowDays, DEFAULT_WINDOW_DAYS, stageCountsOf } from '../../domain/stage/stageChanges.ts';
import { canonicalInstant } from '../embedded/instants.ts';
import { openDatabase, type SqliteDatabase } from './openDatabase.ts';
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
import { dropIndexes, ensureIndexes } from './secondaryIndexes.ts';
import { SqliteBatchWriter } from './sqliteBatchWriter.ts';

export type SqliteReadModelsOptions = {
  readonly busyTimeoutMs?: number;
  /** a rebuild writes shadow tables on the rebuild's own connection (see sqliteRebuildTarget.ts) */
  readonly database?: SqliteDatabase;
  readonly tables?: ReadModelTableNames;
  /** leave the secondary indexes to the caller (a rebuild builds them once, at the end) */
  readonly deferIndexes?: boolean;
  /**
   * The window W (`JOURNEY_ACTIVE_WINDOW_DAYS`) to keep the stage deltas for. When the file
   * keeps them for another W, or has none yet (a new file, or one written before they
   * existed), opening derives them all again from users and activity days, in one write
   * transaction. Unset: keep whatever W the file has (15 for a new file).
   */
  readonly windowDays?: number;
};

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
        cacheSizeKiB: 32_768,
      });
    this.tables = options.tables ?? LIVE_READ_MODEL_TABLES;
    this.indexesDeferred = options.deferIndexes ?? false;
    this.stmts = prepareReadModelStatements(this.db, this.tables, { deferIndexes: this.indexesDeferred });
    this.ensureStageWindow(options.windowDays);
    this.applyTx = this.db.transaction((...[projection, from, to, apply]: ApplyArgs): CheckpointResult => {
      const current = this.checkpointNow(projection);
      if (!samePosition(current, from)) return { kind: 'mismatch', current };
      const writer = new SqliteBatchWriter(this.stmts);
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
    // IMMEDIATE: the checkpoint is read and then written, and a second projector process
    // must wait for the lock rather than fail to upgrade it
    return this.applyTx.immediate(projection, checkpoint.from, checkpoint.to, apply);
  }

  /**
   * A projection that starts from nothing applies its whole backlog at once; keeping the
   * query indexes up to date row by row then costs more than building them once at the end
   * (the timeline's per-user index: about a third of its CPU). Drops them when every
   * read-model table in this file is still empty; `endBulkLoad`, or the next open, builds
   * them again. Queries stay correct meanwhile, only slower.
   */
  async beginBulkLoad(): Promise<boolean> {
    this.assertOpen();
    if (this.indexesDeferred) return false; // the owner (a rebuild) builds them itself
    return this.db
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
  }

  async endBulkLoad(): Promise<void> {
    this.assertOpen();
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
