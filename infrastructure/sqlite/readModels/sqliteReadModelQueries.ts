import type { Position } from '../../../application/ports/eventStore/eventStore.ts';
import { pageSizeOf } from '../../../application/ports/readModels/pageSize.ts';
import type {
  DayCount,
  JourneySnapshot,
  LatestEvents,
  ProfileSnapshot,
  ReadModelQueries,
  ReportedUser,
  StageSummary,
  TimelineEntry,
  UserProfile,
} from '../../../application/ports/readModels/readModels.ts';
import type { Stage } from '../../../domain/stage/stage.ts';
import { stageCountsOf } from '../../../domain/stage/stageChanges.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { storedCheckpoint } from './readModelCheckpoint.ts';
import { type ReadModelStatements, toTimelineEntry, toUserProfile } from './readModelTables.ts';
import { prepareReportStatements } from './reportStatements.ts';

type StageSummaryRow = {
  user_id: string;
  signed_up_at: string;
  active_days: number;
  last_activity_at: string | null;
};

const toStageSummary = (row: StageSummaryRow): StageSummary => ({
  userId: row.user_id,
  signedUpAt: row.signed_up_at,
  activeDays: row.active_days,
  lastActivityAt: row.last_activity_at,
});

/** The query side of the SQLite read models: what the API and the reports read. */
export class SqliteReadModelQueries implements ReadModelQueries {
  private reportStatements: ReturnType<typeof prepareReportStatements> | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly stmts: ReadModelStatements,
  ) {}

  async getJourney(userId: string, options: { readonly limit?: number } = {}): Promise<TimelineEntry[]> {
    return this.stmts.journey.all(userId, options.limit ?? -1).map(toTimelineEntry);
  }

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    const row = this.stmts.user.get(userId);
    return row === undefined ? undefined : toUserProfile(row);
  }

  async getProfiles(userIds: readonly string[]): Promise<UserProfile[]> {
    if (userIds.length === 0) return [];
    return this.stmts.users.all(JSON.stringify(userIds)).map(toUserProfile);
  }

  async stageSummaries(asOf: string): Promise<StageSummary[]> {
    return this.stmts.stageSummaries.all({ asOf: canonicalInstant(asOf, 'asOf') }).map(toStageSummary);
  }

  async stageSummary(userId: string, asOf: string): Promise<StageSummary | undefined> {
    const row = this.stmts.stageSummary.get({ asOf: canonicalInstant(asOf, 'asOf'), userId });
    return row && toStageSummary(row);
  }

  async stageCounts(asOf: string, windowDays: number): Promise<Record<Stage, number> | undefined> {
    const t = Date.parse(canonicalInstant(asOf, 'asOf'));
    // one read transaction: the window and the sums from the same snapshot
    return this.db.transaction(() => {
      if (this.stmts.stages.windowDays() !== windowDays) return undefined;
      return stageCountsOf(this.stmts.stages.sumAt(t));
    })();
  }

  async countSignups(after: string, until: string): Promise<number> {
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

  activityHistories(
    asOf: string,
    options: { readonly pageSize?: number } = {},
  ): AsyncIterable<readonly ReportedUser[]> {
    this.reportStatements ??= prepareReportStatements(this.db);
    return this.reportStatements.activityHistories(canonicalInstant(asOf, 'asOf'), pageSizeOf(options.pageSize));
  }

  async latestEventsOf(userIds: readonly string[], asOf: string, perUser: number): Promise<LatestEvents[]> {
    this.reportStatements ??= prepareReportStatements(this.db);
    return this.reportStatements.latestEventsOf(userIds, canonicalInstant(asOf, 'asOf'), perUser);
  }

  // a read transaction: WAL keeps one snapshot from its first read to its end
  async profileSnapshot(userId: string, asOf: string, projection: string): Promise<ProfileSnapshot> {
    const at = canonicalInstant(asOf, 'asOf');
    return this.db.transaction(() => {
      const row = this.stmts.user.get(userId);
      const summary = this.stmts.stageSummary.get({ asOf: at, userId });
      return {
        position: storedCheckpoint(this.stmts, projection),
        profile: row === undefined ? undefined : toUserProfile(row),
        summary: summary && toStageSummary(summary),
      };
    })();
  }

  async journeySnapshot(userId: string, upTo: Position, projection: string): Promise<JourneySnapshot> {
    return this.db.transaction(() => ({
      position: storedCheckpoint(this.stmts, projection),
      entries: this.stmts.journeyUpTo.all({ userId, commit: upTo.commit, prepare: upTo.prepare }).map(toTimelineEntry),
    }))();
  }
}
