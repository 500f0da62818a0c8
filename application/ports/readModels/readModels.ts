import type { Stage } from '../../../domain/stage/stage.ts';
import type { Position } from '../eventStore/eventStore.ts';

/**
 * The read-model port: `ReadModelStore` applies a batch and moves the checkpoint in one transaction,
 * so each event takes effect exactly once; `ReadModelQueries` serves the API. One adapter implements
 * both.
 */
export type TimelineEntry = {
  readonly userId: string;
  readonly eventId: string;
  readonly type: string;
  /** event time, ISO-8601 UTC as `Date.prototype.toISOString` writes it */
  readonly occurredAt: string;
  readonly data: unknown;
  readonly ruleId: string;
  readonly sourceMessageIds: readonly string[];
  /**
   * the event's position in the store's global log, so a read can cut the timeline where
   * another projection's checkpoint stands; absent on entries stored before it was kept
   */
  readonly position?: Position;
};

export type UserProfile = {
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  /** first UserSignedUp, event time */
  readonly signedUpAt?: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** latest meaningful activity, event time */
  readonly lastActivityAt?: string;
  readonly eventCount: number;
  readonly lastEventType: string;
};

/**
 * A signed-up user's activity as of T: the UTC days with meaningful activity at or before T and the
 * latest one. On T's own day `lastActivityAt` may be any activity up to T: the stage logic only
 * compares it with T − W, and W ≥ 1 day.
 */
export type StageSummary = {
  readonly userId: string;
  readonly signedUpAt: string;
  readonly activeDays: number;
  readonly lastActivityAt: string | null;
};

/** how many of something fell on one UTC day (`YYYY-MM-DD`) */
export type DayCount = { readonly date: string; readonly count: number };
/**
 * A signed-up user's activity days as of an instant A: enough to compute their StageSummary
 * as of any T ≤ A (`stageSummaryAsOf`), so a 30-day trend needs one read, not thirty.
 */
export type ActivityHistory = {
  readonly userId: string;
  readonly signedUpAt: string;
  /** UTC days with activity that began at or before A: the first and the latest activity of each */
  readonly days: readonly { readonly firstAt: string; readonly lastAt: string }[];
};

/** a signed-up user's activity history with the profile fields the report shows */
export type ReportedUser = ActivityHistory & { readonly email?: string; readonly name?: string };

/** a user's newest timeline events, newest first */
export type LatestEvents = {
  readonly userId: string;
  readonly events: readonly { readonly type: string; readonly occurredAt: string }[];
};

/** a user's profile and stage summary, read in one transaction with the checkpoint of the projection writing them */
export type ProfileSnapshot = {
  readonly position: Position | null;
  readonly profile: UserProfile | undefined;
  /** as `stageSummary` answers it */
  readonly summary: StageSummary | undefined;
};

/** a user's timeline up to a position, read in one transaction with the checkpoint of the projection writing it */
export type JourneySnapshot = {
  readonly position: Position | null;
  /** in `getJourney` order: the entries at or before the position asked for, and those stored without one */
  readonly entries: TimelineEntry[];
};

export type CheckpointResult =
  | { readonly kind: 'stored' }
  | { readonly kind: 'mismatch'; readonly current: Position | null };

/** Writes a projection may make inside `applyBatch`; synchronous, inside one transaction. */
export interface ReadModelWriter {
  addTimelineEntry(entry: TimelineEntry): void;
  getProfile(userId: string): UserProfile | undefined;
  putProfile(profile: UserProfile): void;
  /** one meaningful activity of the user at event time `at` (ISO-8601 UTC) */
  addActivity(userId: string, at: string): void;
}

export interface ReadModelStore {
  readCheckpoint(projection: string): Promise<Position | null>;
  /**
   * Runs `apply` and moves the checkpoint from `from` to `to` in one transaction. When the
   * stored checkpoint is not `from` (another projector got there first) nothing is written
   * and the result says `mismatch`.
   */
  applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult>;
  close(): Promise<void>;
}

export interface ReadModelQueries {
  /** the user's timeline in event-time order (ties in append order) */
  getJourney(userId: string, options?: { readonly limit?: number }): Promise<TimelineEntry[]>;
  getProfile(userId: string): Promise<UserProfile | undefined>;
  getProfiles(userIds: readonly string[]): Promise<UserProfile[]>;
  /** every user with a sign-up at or before `asOf` */
  stageSummaries(asOf: string): Promise<StageSummary[]>;
  /** the same for one user; undefined when they had not signed up by `asOf` */
  stageSummary(userId: string, asOf: string): Promise<StageSummary | undefined>;
  /**
   * Users signed up by `asOf` per stage with window `windowDays`, read from the stage changes the users
   * projection keeps, so the cost does not grow with users. Undefined when the store keeps another
   * window: count the summaries then.
   */
  stageCounts(asOf: string, windowDays: number): Promise<Record<Stage, number> | undefined>;
  /** sign-ups with event time in (`after`, `until`] */
  countSignups(after: string, until: string): Promise<number>;
  /**
   * The dashboard's user search: id-prefix matches in id order, then email-prefix matches (ASCII case
   * ignored), each user once, at most `limit`. Two index ranges cut at `limit`, so a one-letter prefix
   * costs what a long one does.
   */
  searchUsers(prefix: string, limit: number): Promise<UserProfile[]>;
  /** sign-ups per UTC day of their event time, from `from` to `to` (YYYY-MM-DD, both included); only days with any, by date */
  signupsByDay(from: string, to: string): Promise<DayCount[]>;
  /**
   * Every user with a sign-up at or before `asOf`, with their activity days up to it, newest sign-up
   * first (equal instants by user id in code-point order), `pageSize` (default 1,000) at a time. A page
   * is read when the next is asked for, so what a reader holds does not grow with users; pages read
   * apart may see writes made between them.
   */
  activityHistories(asOf: string, options?: { readonly pageSize?: number }): AsyncIterable<readonly ReportedUser[]>;
  /** of each of `userIds` with timeline events at or before `asOf`, the newest `perUser` of those, in `userIds` order */
  latestEventsOf(userIds: readonly string[], asOf: string, perUser: number): Promise<LatestEvents[]>;
  /**
   * `getProfile` and `stageSummary` with the checkpoint of `projection`, all from one snapshot,
   * so the caller knows which prefix of the log the answer reflects.
   */
  profileSnapshot(userId: string, asOf: string, projection: string): Promise<ProfileSnapshot>;
  /**
   * `getJourney` cut at `upTo` (entries past it left out) with the checkpoint of `projection`,
   * from one snapshot: once that checkpoint is at or past `upTo`, the entries are the user's
   * events up to `upTo`, whatever the projection applied since.
   */
  journeySnapshot(userId: string, upTo: Position, projection: string): Promise<JourneySnapshot>;
}

export const ReadModelStoreToken = Symbol.for('journey.ReadModelStore');
export const ReadModelQueriesToken = Symbol.for('journey.ReadModelQueries');
