import type pg from 'pg';
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
import { PostgresReadModelQueries } from './postgresReadModelQueries.ts';
import { PostgresReadModelStore } from './postgresReadModelStore.ts';
import { ensureReadModelIndexes } from './readModelIndexes.ts';
import { ensureStageWindow } from './stageWindow.ts';

export type PostgresReadModelsOptions = {
  /** the window W (`JOURNEY_ACTIVE_WINDOW_DAYS`) to keep the stage deltas for; unset: the database's */
  readonly windowDays?: number;
};

/**
 * Read models in PostgreSQL (schema `journey`, migration 002), both ports over one pool that
 * the caller owns and ends after `close`. Open with `PostgresReadModels.open`, after `migrate`.
 * Projections may share one; a bulk load serves one projection per instance.
 */
export class PostgresReadModels implements ReadModelStore, ReadModelQueries {
  private readonly store: PostgresReadModelStore;
  private readonly queries: PostgresReadModelQueries;
  private closed = false;

  private constructor(pool: pg.Pool) {
    const url = pool.options.connectionString;
    this.store = new PostgresReadModelStore(pool, url);
    this.queries = new PostgresReadModelQueries(pool, url);
  }

  /** derives the stage deltas again when the database keeps them for another window */
  static async open(pool: pg.Pool, options: PostgresReadModelsOptions = {}): Promise<PostgresReadModels> {
    await ensureStageWindow(pool, options.windowDays);
    // a bulk load that never ended (a crash) left some out
    await ensureReadModelIndexes(pool);
    return new PostgresReadModels(pool);
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
  /** see CheckpointedStore.beginBulkLoad and postgresBulkLoad.ts */
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

  /** commits what a bulk load applied; the pool stays open: its owner ends it */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
  }

  private open(): this {
    if (this.closed) throw new UnavailableError('the PostgreSQL read models are closed; open new PostgresReadModels');
    return this;
  }
}
