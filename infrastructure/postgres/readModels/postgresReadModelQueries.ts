import type pg from 'pg';
import { type Position, positionFromString } from '../../../application/ports/eventStore/eventStore.ts';
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
import { rethrowConnectionLost } from '../connectionLost.ts';
import {
  isoOf,
  isoOrNull,
  TIMELINE_COLUMNS,
  type TimelineRow,
  toTimelineEntry,
  toUserProfile,
  USER_COLUMNS,
  type UserRow,
} from './readModelRows.ts';
import { STAGE_SUM_SQL, type StageSumRow, stageSumParams } from './stageDeltaSums.ts';

type StageSummaryRow = {
  user_id: string;
  signed_up_at: Date;
  active_days: number;
  last_activity_at: Date | null;
};

// On T's own day last_at may be after T; first_at (<= T) then stands in, which the
// StageSummary contract allows because stage logic only compares it with T - W, W >= 1 day.
const stageSummarySql = (oneUser: boolean) => `SELECT u.user_id, u.signed_up_at, count(a.day)::int AS active_days,
    max(CASE WHEN a.last_at <= $1 THEN a.last_at ELSE a.first_at END) AS last_activity_at
  FROM journey.users u LEFT JOIN journey.activity_days a ON a.user_id = u.user_id AND a.first_at <= $1
  WHERE u.signed_up_at <= $1 ${oneUser ? 'AND u.user_id = $2' : ''}
  GROUP BY u.user_id ORDER BY u.user_id`;

/**
 * A projection's checkpoint as a one-row relation that the snapshot reads join their rows to:
 * one statement sees one snapshot, so the checkpoint and the rows it covers are read as one
 * projection commit left them, in one round trip (a REPEATABLE READ transaction took four or five).
 */
const CHECKPOINT_OF_$3 =
  'SELECT (SELECT position FROM journey.read_model_checkpoints WHERE projection = $3) AS position';

const prefixed = (table: string, columns: string): string =>
  columns
    .split(',')
    .map((c) => `${table}.${c.trim()}`)
    .join(', ');

const positionOrNull = (position: string | null | undefined): Position | null =>
  position == null ? null : positionFromString(position);

type ProfileSnapshotRow = Partial<UserRow> & {
  checkpoint: string | null;
  signed_up_at: Date;
  summary_user_id: string | null;
  active_days: number;
  summary_last_activity_at: Date | null;
};

const toStageSummary = (row: StageSummaryRow): StageSummary => ({
  userId: row.user_id,
  signedUpAt: isoOf(row.signed_up_at),
  activeDays: row.active_days,
  lastActivityAt: isoOrNull(row.last_activity_at),
});

type UserPageRow = { user_id: string; signed_up_at: Date; email: string | null; name: string | null };

// keyset pages in (signed_up_at DESC, user_id): the signed_up_at index read backwards, ties sorted apart
const USER_PAGE = `SELECT user_id, signed_up_at, email, name FROM journey.users WHERE signed_up_at <= $1`;
const FIRST_USERS = `${USER_PAGE} ORDER BY signed_up_at DESC, user_id LIMIT $2`;
const NEXT_USERS = `${USER_PAGE} AND (signed_up_at < $3 OR (signed_up_at = $3 AND user_id > $4))
  ORDER BY signed_up_at DESC, user_id LIMIT $2`;

/** the highest code point after a prefix bounds every text that starts with it (in "C" order) */
const prefixRange = (prefix: string): [string, string] => [prefix, `${prefix}\u{10FFFF}`];

/** The query side of the PostgreSQL read models: what the API and the reports read. */
export class PostgresReadModelQueries implements ReadModelQueries {
  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string | undefined,
  ) {}

  async getJourney(userId: string, options: { readonly limit?: number } = {}): Promise<TimelineEntry[]> {
    const rows = await this.rows<TimelineRow>(
      'reading a journey',
      `SELECT ${TIMELINE_COLUMNS} FROM journey.timeline WHERE user_id = $1 ORDER BY occurred_at, seq LIMIT $2`,
      [userId, options.limit ?? null],
    );
    return rows.map(toTimelineEntry);
  }

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    const [row] = await this.rows<UserRow>(
      'reading a profile',
      `SELECT ${USER_COLUMNS} FROM journey.users WHERE user_id = $1`,
      [userId],
    );
    return row && toUserProfile(row);
  }

  async getProfiles(userIds: readonly string[]): Promise<UserProfile[]> {
    if (userIds.length === 0) return [];
    const rows = await this.rows<UserRow>(
      'reading profiles',
      `SELECT ${USER_COLUMNS} FROM journey.users WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    return rows.map(toUserProfile);
  }

  async stageSummaries(asOf: string): Promise<StageSummary[]> {
    const rows = await this.rows<StageSummaryRow>('summarising stages', stageSummarySql(false), [
      canonicalInstant(asOf, 'asOf'),
    ]);
    return rows.map(toStageSummary);
  }

  async stageSummary(userId: string, asOf: string): Promise<StageSummary | undefined> {
    const [row] = await this.rows<StageSummaryRow>('summarising a stage', stageSummarySql(true), [
      canonicalInstant(asOf, 'asOf'),
      userId,
    ]);
    return row && toStageSummary(row);
  }

  async stageCounts(asOf: string, windowDays: number): Promise<Record<Stage, number> | undefined> {
    const t = Date.parse(canonicalInstant(asOf, 'asOf'));
    const [row] = await this.rows<StageSumRow>('counting stages', STAGE_SUM_SQL, stageSumParams(t));
    if (row === undefined || row.window_days !== windowDays) return undefined;
    return stageCountsOf([row.signed_up, row.activated, row.active, row.inactive]);
  }

  async countSignups(after: string, until: string): Promise<number> {
    const [row] = await this.rows<{ n: number }>(
      'counting sign-ups',
      'SELECT count(*)::int AS n FROM journey.users WHERE signed_up_at > $1 AND signed_up_at <= $2',
      [canonicalInstant(after, 'after'), canonicalInstant(until, 'until')],
    );
    return row?.n ?? 0;
  }

  async signupsByDay(from: string, to: string): Promise<DayCount[]> {
    return this.rows<DayCount>(
      'counting sign-ups per day',
      // ordered by the date itself: a database collation may not order the text as "C" does
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, count(*)::int AS count FROM (
         SELECT (signed_up_at AT TIME ZONE 'UTC')::date AS day FROM journey.users
         WHERE signed_up_at >= $1 AND signed_up_at <= $2) signups GROUP BY day ORDER BY day`,
      [`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`],
    );
  }

  async searchUsers(prefix: string, limit: number): Promise<UserProfile[]> {
    // each a range of one index read in its order, stopping at the limit
    const byId = await this.rows<UserRow>(
      'searching users',
      `SELECT ${USER_COLUMNS} FROM journey.users WHERE user_id >= $1 AND user_id < $2 ORDER BY user_id LIMIT $3`,
      [...prefixRange(prefix), limit],
    );
    if (byId.length >= limit) return byId.map(toUserProfile);
    const email = prefix.replace(/[A-Z]/g, (c) => c.toLowerCase());
    // users found by id may match by email too: ask for enough to fill the limit without them
    const byEmail = await this.rows<UserRow>(
      'searching users',
      `SELECT ${USER_COLUMNS} FROM journey.users WHERE lower(email) >= $1 AND lower(email) < $2
       ORDER BY lower(email), user_id LIMIT $3`,
      [...prefixRange(email), limit + byId.length],
    );
    const others = byEmail.filter((row) => !row.user_id.startsWith(prefix));
    return [...byId, ...others].slice(0, limit).map(toUserProfile);
  }

  async *activityHistories(
    asOf: string,
    options: { readonly pageSize?: number } = {},
  ): AsyncIterable<readonly ReportedUser[]> {
    const at = canonicalInstant(asOf, 'asOf');
    const limit = pageSizeOf(options.pageSize);
    let after: UserPageRow | undefined;
    for (;;) {
      const rows = await this.rows<UserPageRow>(
        'reading a page of activity histories',
        after === undefined ? FIRST_USERS : NEXT_USERS,
        after === undefined ? [at, limit] : [at, limit, after.signed_up_at, after.user_id],
      );
      if (rows.length === 0) return;
      const days = await this.rows<{ user_id: string; first_at: Date; last_at: Date }>(
        'reading a page of activity histories',
        `SELECT user_id, first_at, last_at FROM journey.activity_days
         WHERE user_id = ANY($1::text[]) AND first_at <= $2 ORDER BY user_id, day`,
        [rows.map((r) => r.user_id), at],
      );
      const daysOf = new Map<string, { firstAt: string; lastAt: string }[]>();
      for (const d of days) {
        let list = daysOf.get(d.user_id);
        if (list === undefined) {
          list = [];
          daysOf.set(d.user_id, list);
        }
        list.push({ firstAt: isoOf(d.first_at), lastAt: isoOf(d.last_at) });
      }
      yield rows.map((r) => ({
        userId: r.user_id,
        signedUpAt: isoOf(r.signed_up_at),
        ...(r.email === null ? {} : { email: r.email }),
        ...(r.name === null ? {} : { name: r.name }),
        days: daysOf.get(r.user_id) ?? [],
      }));
      if (rows.length < limit) return;
      after = rows.at(-1);
    }
  }

  async latestEventsOf(userIds: readonly string[], asOf: string, perUser: number): Promise<LatestEvents[]> {
    if (userIds.length === 0) return [];
    // one index range of (user_id, occurred_at, seq) per user, read backwards and cut at the limit
    const rows = await this.rows<{ user_id: string; type: string; occurred_at: Date }>(
      'reading the latest events',
      `SELECT ids.user_id, t.type, t.occurred_at
       FROM unnest($1::text[]) WITH ORDINALITY AS ids(user_id, n)
       CROSS JOIN LATERAL (SELECT type, occurred_at, seq FROM journey.timeline
         WHERE user_id = ids.user_id AND occurred_at <= $2 ORDER BY occurred_at DESC, seq DESC LIMIT $3) t
       ORDER BY ids.n, t.occurred_at DESC, t.seq DESC`,
      [userIds, canonicalInstant(asOf, 'asOf'), perUser],
    );
    const result: { userId: string; events: { type: string; occurredAt: string }[] }[] = [];
    let current: (typeof result)[number] | undefined;
    for (const row of rows) {
      if (current?.userId !== row.user_id) {
        current = { userId: row.user_id, events: [] };
        result.push(current);
      }
      current.events.push({ type: row.type, occurredAt: isoOf(row.occurred_at) });
    }
    return result;
  }

  async profileSnapshot(userId: string, asOf: string, projection: string): Promise<ProfileSnapshot> {
    const [row] = await this.rows<ProfileSnapshotRow>(
      'reading a profile',
      `SELECT c.position AS checkpoint, ${prefixed('u', USER_COLUMNS)},
         s.user_id AS summary_user_id, s.active_days, s.last_activity_at AS summary_last_activity_at
       FROM (${CHECKPOINT_OF_$3}) c
       LEFT JOIN LATERAL (SELECT ${USER_COLUMNS} FROM journey.users WHERE user_id = $2) u ON true
       LEFT JOIN LATERAL (${stageSummarySql(true)}) s ON true`,
      [canonicalInstant(asOf, 'asOf'), userId, projection],
    );
    return {
      position: positionOrNull(row?.checkpoint),
      profile: row?.user_id == null ? undefined : toUserProfile(row as UserRow),
      summary:
        row?.summary_user_id == null
          ? undefined
          : toStageSummary({
              user_id: row.summary_user_id,
              signed_up_at: row.signed_up_at,
              active_days: row.active_days,
              last_activity_at: row.summary_last_activity_at,
            }),
    };
  }

  async journeySnapshot(userId: string, upTo: Position, projection: string): Promise<JourneySnapshot> {
    // rows stored without a position are from before migration 006, so before any checkpoint now
    const rows = await this.rows<TimelineRow & { checkpoint: string | null }>(
      'reading a journey',
      `SELECT c.position AS checkpoint, ${prefixed('t', TIMELINE_COLUMNS)}
       FROM (${CHECKPOINT_OF_$3}) c
       LEFT JOIN LATERAL (SELECT ${TIMELINE_COLUMNS}, seq FROM journey.timeline WHERE user_id = $1
         AND (position_commit IS NULL OR (position_commit, position_prepare) <= ($2::bigint, $4::bigint))) t ON true
       ORDER BY t.occurred_at, t.seq`,
      [userId, String(upTo.commit), projection, String(upTo.prepare)],
    );
    return {
      position: positionOrNull(rows[0]?.checkpoint),
      entries: rows.filter((r) => r.user_id !== null).map(toTimelineEntry),
    };
  }

  private async rows<R extends pg.QueryResultRow>(doing: string, sql: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (error) {
      return rethrowConnectionLost(error, this.url, doing);
    }
  }
}
