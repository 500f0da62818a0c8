import type { Stage } from '../../../domain/stage/stage.ts';
import type { Position } from '../eventStore/eventStore.ts';
import type {
  CheckpointResult,
  DayCount,
  JourneySnapshot,
  LatestEvents,
  ProfileSnapshot,
  ReadModelQueries,
  ReadModelStore,
  ReadModelWriter,
  ReportedUser,
  StageSummary,
  TimelineEntry,
  UserProfile,
} from './readModels.ts';

/** an adapter's write side: the port (less `close`) and the bulk load of CheckpointedStore */
export type BulkLoadingStore = Omit<ReadModelStore, 'close'> & {
  beginBulkLoad(): Promise<boolean>;
  commitBulkLoad(): Promise<void>;
  endBulkLoad(): Promise<void>;
};

/**
 * Both read-model ports over an adapter's store and queries, each call refused once the
 * adapter is closed. Adapters supply the two parts, the check and `close`.
 */
export abstract class ReadModelsFacade implements ReadModelStore, ReadModelQueries {
  protected abstract readonly store: BulkLoadingStore;
  protected abstract readonly queries: ReadModelQueries;
  /** throws UnavailableError, saying what to do, when the adapter is closed */
  protected abstract assertOpen(): void;
  abstract close(): Promise<void>;

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    return this.store.readCheckpoint(projection);
  }
  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    this.assertOpen();
    return this.store.applyBatch(projection, checkpoint, apply);
  }
  /** see CheckpointedStore.beginBulkLoad */
  async beginBulkLoad(): Promise<boolean> {
    this.assertOpen();
    return this.store.beginBulkLoad();
  }
  async commitBulkLoad(): Promise<void> {
    this.assertOpen();
    return this.store.commitBulkLoad();
  }
  async endBulkLoad(): Promise<void> {
    this.assertOpen();
    return this.store.endBulkLoad();
  }

  async getJourney(userId: string, options?: { readonly limit?: number }): Promise<TimelineEntry[]> {
    this.assertOpen();
    return this.queries.getJourney(userId, options);
  }
  async getProfile(userId: string): Promise<UserProfile | undefined> {
    this.assertOpen();
    return this.queries.getProfile(userId);
  }
  async getProfiles(userIds: readonly string[]): Promise<UserProfile[]> {
    this.assertOpen();
    return this.queries.getProfiles(userIds);
  }
  async stageSummaries(asOf: string): Promise<StageSummary[]> {
    this.assertOpen();
    return this.queries.stageSummaries(asOf);
  }
  async stageSummary(userId: string, asOf: string): Promise<StageSummary | undefined> {
    this.assertOpen();
    return this.queries.stageSummary(userId, asOf);
  }
  async stageCounts(asOf: string, windowDays: number): Promise<Record<Stage, number> | undefined> {
    this.assertOpen();
    return this.queries.stageCounts(asOf, windowDays);
  }
  async countSignups(after: string, until: string): Promise<number> {
    this.assertOpen();
    return this.queries.countSignups(after, until);
  }
  async signupsByDay(from: string, to: string): Promise<DayCount[]> {
    this.assertOpen();
    return this.queries.signupsByDay(from, to);
  }
  async searchUsers(prefix: string, limit: number): Promise<UserProfile[]> {
    this.assertOpen();
    return this.queries.searchUsers(prefix, limit);
  }
  async *activityHistories(
    asOf: string,
    options?: { readonly pageSize?: number },
  ): AsyncIterable<readonly ReportedUser[]> {
    this.assertOpen();
    for await (const page of this.queries.activityHistories(asOf, options)) {
      yield page;
      this.assertOpen();
    }
  }
  async latestEventsOf(userIds: readonly string[], asOf: string, perUser: number): Promise<LatestEvents[]> {
    this.assertOpen();
    return this.queries.latestEventsOf(userIds, asOf, perUser);
  }
  async profileSnapshot(userId: string, asOf: string, projection: string): Promise<ProfileSnapshot> {
    this.assertOpen();
    return this.queries.profileSnapshot(userId, asOf, projection);
  }
  async journeySnapshot(userId: string, upTo: Position, projection: string): Promise<JourneySnapshot> {
    this.assertOpen();
    return this.queries.journeySnapshot(userId, upTo, projection);
  }
}
