import type { TimelineEntry, UserProfile } from '../../../application/ports/readModels/readModels.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { ensureIndexes, type SecondaryIndex } from '../secondaryIndexes.ts';
import { prepareStageDeltaStatements, stageDeltaTablesSql } from './stageDeltaTables.ts';

/**
 * The read-model tables. Every instant is `toISOString` text (UTC, milliseconds, `Z`): it
 * sorts in time order as text, so SQLite compares and indexes it directly. `seq` (the
 * timeline's rowid) is append order, the tie-break for equal event times. Activity is one
 * row per user and UTC day with the first and last instant: enough for "active days as of T"
 * and "last activity as of T" without a row per event. `stage_instants`, `stage_minutes`,
 * `stage_days` and `stage_window` keep the funnel's stage counts as prefix sums (see stageDeltaTables.ts).
 */
export type ReadModelTableNames = {
  readonly timeline: string;
  readonly users: string;
  readonly activityDays: string;
  readonly stageDays: string;
  readonly stageMinutes: string;
  readonly stageInstants: string;
  readonly stageWindow: string;
};

/** the live tables; a rebuild writes the same tables under other names (see rebuildTables.ts) */
export const LIVE_READ_MODEL_TABLES: ReadModelTableNames = {
  timeline: 'timeline',
  users: 'users',
  activityDays: 'activity_days',
  stageDays: 'stage_days',
  stageMinutes: 'stage_minutes',
  stageInstants: 'stage_instants',
  stageWindow: 'stage_window',
};

const tablesSql = (t: ReadModelTableNames): string => `
CREATE TABLE IF NOT EXISTS ${t.timeline} (
  seq INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  source_message_ids TEXT NOT NULL,
  position_commit INTEGER,
  position_prepare INTEGER
);
CREATE TABLE IF NOT EXISTS ${t.users} (
  user_id TEXT PRIMARY KEY,
  email TEXT,
  name TEXT,
  signed_up_at TEXT,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  last_activity_at TEXT,
  event_count INTEGER NOT NULL,
  last_event_type TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.activityDays} (
  user_id TEXT NOT NULL,
  day TEXT NOT NULL,
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  PRIMARY KEY (user_id, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  projection TEXT PRIMARY KEY,
  position TEXT NOT NULL
);`;

/** the secondary indexes, which queries need and writes do not: a rebuild creates them last */
export const readModelIndexes = (t: ReadModelTableNames): readonly SecondaryIndex[] => [
  { name: 'timeline_by_user_time', table: t.timeline, columns: 'user_id, occurred_at, seq' },
  { name: 'users_by_signup', table: t.users, columns: 'signed_up_at' },
  { name: 'users_by_email', table: t.users, columns: 'lower(email), user_id' },
];

type TimelineRow = {
  readonly position_commit: bigint | null;
  readonly position_prepare: bigint | null;
  readonly user_id: string;
  readonly occurred_at: string;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
  readonly rule_id: string;
  readonly source_message_ids: string;
};

export type UserRow = {
  readonly user_id: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly signed_up_at: string | null;
  readonly first_seen_at: string;
  readonly last_seen_at: string;
  readonly last_activity_at: string | null;
  readonly event_count: number;
  readonly last_event_type: string;
};

/** a user row's values in `USER_COLUMNS` order */
type UserValues = [
  userId: string,
  email: string | null,
  name: string | null,
  signedUpAt: string | null,
  firstSeenAt: string,
  lastSeenAt: string,
  lastActivityAt: string | null,
  eventCount: number,
  lastEventType: string,
];

const USER_COLUMNS =
  'user_id, email, name, signed_up_at, first_seen_at, last_seen_at, last_activity_at, event_count, last_event_type';
const TIMELINE_COLUMNS =
  'user_id, occurred_at, event_id, type, data, rule_id, source_message_ids, position_commit, position_prepare';

/** a timeline row's values in `TIMELINE_COLUMNS` order */
export type TimelineValues = [
  userId: string,
  occurredAt: string,
  eventId: string,
  type: string,
  data: string,
  ruleId: string,
  sourceMessageIds: string,
  positionCommit: bigint | null,
  positionPrepare: bigint | null,
];

/** files from before the timeline kept each event's position get the columns, empty for the rows they hold */
const addTimelinePositions = (db: SqliteDatabase, timeline: string): void => {
  const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${timeline}')`).all();
  if (columns.some((c) => c.name === 'position_commit')) return;
  db.exec(`ALTER TABLE ${timeline} ADD COLUMN position_commit INTEGER;
    ALTER TABLE ${timeline} ADD COLUMN position_prepare INTEGER`);
};

export const prepareReadModelStatements = (
  db: SqliteDatabase,
  t: ReadModelTableNames = LIVE_READ_MODEL_TABLES,
  options: { readonly deferIndexes?: boolean } = {},
) => {
  db.exec(tablesSql(t));
  addTimelinePositions(db, t.timeline);
  db.exec(stageDeltaTablesSql(t));
  if (!options.deferIndexes) ensureIndexes(db, readModelIndexes(t));
  return {
    insertTimeline: db.prepare<TimelineValues>(
      `INSERT INTO ${t.timeline} (${TIMELINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
    ),
    // safe integers: a position is a 64-bit number
    journey: db
      .prepare<[userId: string, limit: number], TimelineRow>(
        `SELECT ${TIMELINE_COLUMNS} FROM ${t.timeline} WHERE user_id = ? ORDER BY occurred_at, seq LIMIT ?`,
      )
      .safeIntegers(),
    // rows stored without a position are from before the file kept them, so before any checkpoint now
    journeyUpTo: db
      .prepare<{ userId: string; commit: bigint; prepare: bigint }, TimelineRow>(
        `SELECT ${TIMELINE_COLUMNS} FROM ${t.timeline} WHERE user_id = @userId
         AND (position_commit IS NULL OR (position_commit, position_prepare) <= (@commit, @prepare))
         ORDER BY occurred_at, seq`,
      )
      .safeIntegers(),
    user: db.prepare<[userId: string], UserRow>(`SELECT ${USER_COLUMNS} FROM ${t.users} WHERE user_id = ?`),
    users: db.prepare<[userIdsJson: string], UserRow>(
      `SELECT ${USER_COLUMNS} FROM ${t.users} WHERE user_id IN (SELECT value FROM json_each(?))`,
    ),
    // positional: binding by name looks each parameter up on the object, and this runs for
    // every user a batch touches
    putUser: db.prepare<UserValues>(
      `INSERT INTO ${t.users} (${USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name,
        signed_up_at = excluded.signed_up_at, first_seen_at = excluded.first_seen_at,
        last_seen_at = excluded.last_seen_at, last_activity_at = excluded.last_activity_at,
        event_count = excluded.event_count, last_event_type = excluded.last_event_type`,
    ),
    addActivity: db.prepare<[userId: string, day: string, firstAt: string, lastAt: string]>(
      `INSERT INTO ${t.activityDays} (user_id, day, first_at, last_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, day) DO UPDATE SET first_at = min(first_at, excluded.first_at),
        last_at = max(last_at, excluded.last_at)`,
    ),
    activityDaysOf: db.prepare<[userId: string], { day: string; first_at: string; last_at: string }>(
      `SELECT day, first_at, last_at FROM ${t.activityDays} WHERE user_id = ?`,
    ),
    stages: prepareStageDeltaStatements(db, t),
    // On T's own day last_at may be after T; first_at (<= T) then stands in, which the
    // StageSummary contract allows because stage logic only compares it with T - W, W >= 1 day.
    stageSummaries: db.prepare<
      { asOf: string },
      { user_id: string; signed_up_at: string; active_days: number; last_activity_at: string | null }
    >(
      `SELECT u.user_id, u.signed_up_at, COUNT(a.day) AS active_days,
        MAX(CASE WHEN a.last_at <= @asOf THEN a.last_at ELSE a.first_at END) AS last_activity_at
       FROM ${t.users} u LEFT JOIN ${t.activityDays} a ON a.user_id = u.user_id AND a.first_at <= @asOf
       WHERE u.signed_up_at IS NOT NULL AND u.signed_up_at <= @asOf
       GROUP BY u.user_id ORDER BY u.user_id`,
    ),
    stageSummary: db.prepare<
      { asOf: string; userId: string },
      { user_id: string; signed_up_at: string; active_days: number; last_activity_at: string | null }
    >(
      `SELECT u.user_id, u.signed_up_at, COUNT(a.day) AS active_days,
        MAX(CASE WHEN a.last_at <= @asOf THEN a.last_at ELSE a.first_at END) AS last_activity_at
       FROM ${t.users} u LEFT JOIN ${t.activityDays} a ON a.user_id = u.user_id AND a.first_at <= @asOf
       WHERE u.user_id = @userId AND u.signed_up_at IS NOT NULL AND u.signed_up_at <= @asOf
       GROUP BY u.user_id`,
    ),
    // each a range of one index read in its order, stopping at the limit
    searchUsersById: db.prepare<{ from: string; to: string; limit: number }, UserRow>(
      `SELECT ${USER_COLUMNS} FROM ${t.users} WHERE user_id >= @from AND user_id < @to ORDER BY user_id LIMIT @limit`,
    ),
    searchUsersByEmail: db.prepare<{ from: string; to: string; limit: number }, UserRow>(
      `SELECT ${USER_COLUMNS} FROM ${t.users} WHERE lower(email) >= @from AND lower(email) < @to
       ORDER BY lower(email), user_id LIMIT @limit`,
    ),
    countSignups: db.prepare<[after: string, until: string], { n: number }>(
      `SELECT COUNT(*) AS n FROM ${t.users} WHERE signed_up_at > ? AND signed_up_at <= ?`,
    ),
    checkpoint: db.prepare<[projection: string], { position: string }>(
      'SELECT position FROM checkpoints WHERE projection = ?',
    ),
    storeCheckpoint: db.prepare<[projection: string, position: string]>(
      `INSERT INTO checkpoints (projection, position) VALUES (?, ?)
       ON CONFLICT (projection) DO UPDATE SET position = excluded.position`,
    ),
  };
};

export type ReadModelStatements = ReturnType<typeof prepareReadModelStatements>;

export const toTimelineEntry = (row: TimelineRow): TimelineEntry => ({
  userId: row.user_id,
  eventId: row.event_id,
  type: row.type,
  occurredAt: row.occurred_at,
  data: JSON.parse(row.data),
  ruleId: row.rule_id,
  sourceMessageIds: JSON.parse(row.source_message_ids),
  ...(row.position_commit === null || row.position_prepare === null
    ? {}
    : { position: { commit: row.position_commit, prepare: row.position_prepare } }),
});

export const toUserProfile = (row: UserRow): UserProfile => ({
  userId: row.user_id,
  ...(row.email === null ? {} : { email: row.email }),
  ...(row.name === null ? {} : { name: row.name }),
  ...(row.signed_up_at === null ? {} : { signedUpAt: row.signed_up_at }),
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
  ...(row.last_activity_at === null ? {} : { lastActivityAt: row.last_activity_at }),
  eventCount: row.event_count,
  lastEventType: row.last_event_type,
});

export const userValuesOf = (p: UserProfile): UserValues => [
  p.userId,
  p.email ?? null,
  p.name ?? null,
  p.signedUpAt ?? null,
  p.firstSeenAt,
  p.lastSeenAt,
  p.lastActivityAt ?? null,
  p.eventCount,
  p.lastEventType,
];
