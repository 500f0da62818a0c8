import type {
  ActivityBound,
  SessionDayCount,
  SessionWriter,
} from '../../../application/ports/sessionStore/sessionStore.ts';
import type { Activity } from '../../../domain/sessions/activity.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { SESSION_CHECKPOINTS, type SessionTableNames } from './sessionTables.ts';

// beyond any event time: Date's range is ±8.64e15 ms
export const FIRST: readonly [number, string] = [-9e15, ''];
export const LAST: readonly [number, string] = [9e15, ''];
const boundOf = (bound: ActivityBound | undefined, otherwise: readonly [number, string]): [number, string] =>
  bound === undefined ? [...otherwise] : [Date.parse(bound.at), bound.messageId];

const sessionOf = (row: { data: string } | undefined): Session | undefined =>
  row === undefined ? undefined : (JSON.parse(row.data) as Session);

/**
 * An activity's data column: its fields but the messageId and the time, which have columns of
 * their own and were three quarters of its bytes. Rows written with them read the same.
 */
export const activityDataOf = ({ messageId: _, occurredAt: __, ...rest }: Activity): string => JSON.stringify(rest);

/** a session's columns, in the order of its row */
export const SESSION_COLUMNS = [
  'session_id',
  'user_id',
  'started_at',
  'first_message_id',
  'day',
  'duration_ms',
  'page_views',
  'data',
] as const;
type SessionRow = [string, string, number, string, string, number, number, string];

/** what an insert of a session whose id is stored already does instead: it replaces it */
export const REPLACING_SESSION = `ON CONFLICT (session_id) DO UPDATE SET ${SESSION_COLUMNS.filter(
  (c) => c !== 'session_id',
)
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')}`;

export const sessionRowOf = (session: Session): SessionRow => [
  session.sessionId,
  session.userId,
  Date.parse(session.startedAt),
  session.firstMessageId,
  session.startedAt.slice(0, 10),
  session.durationMs,
  session.pageViews,
  JSON.stringify(session),
];

type ActivityRow = { message_id: string; at: number; data: string };
const activityOfRow = (row: ActivityRow): Activity => ({
  messageId: row.message_id,
  occurredAt: new Date(row.at).toISOString(),
  ...(JSON.parse(row.data) as Omit<Activity, 'messageId' | 'occurredAt'>),
});

/** the session store's statements on one connection and tables */
export const sessionStatements = (db: SqliteDatabase, { activity: A, sessions: S }: SessionTableNames) => {
  const C = SESSION_CHECKPOINTS;
  return {
    checkpoint: db.prepare<[string], { position: string }>(`SELECT position FROM ${C} WHERE projection = ?`),
    storeCheckpoint: db.prepare<[string, string]>(
      `INSERT INTO ${C} (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position`,
    ),
    addActivity: db.prepare<[string, string, number, string]>(
      `INSERT OR IGNORE INTO ${A} (user_id, message_id, at, data) VALUES (?, ?, ?, ?)`,
    ),
    activities: db.prepare<[string, number, string, number, string], ActivityRow>(
      `SELECT message_id, at, data FROM ${A} WHERE user_id = ? AND (at, message_id) >= (?, ?) AND (at, message_id) < (?, ?)
       ORDER BY at, message_id`,
    ),
    latest: db.prepare<[string], { data: string }>(
      `SELECT data FROM ${S} WHERE user_id = ? ORDER BY started_at DESC, first_message_id DESC LIMIT 1`,
    ),
    startedBefore: db.prepare<[string, number], { data: string }>(
      `SELECT data FROM ${S} WHERE user_id = ? AND started_at < ? ORDER BY started_at DESC, first_message_id DESC LIMIT 1`,
    ),
    sessionsFrom: db.prepare<[string, number, string], { data: string }>(
      `SELECT data FROM ${S} WHERE user_id = ? AND (started_at, first_message_id) >= (?, ?)
       ORDER BY started_at, first_message_id`,
    ),
    putSession: db.prepare<SessionRow>(
      `INSERT INTO ${S} (${SESSION_COLUMNS.join(', ')}) VALUES (${SESSION_COLUMNS.map(() => '?').join(', ')})
       ${REPLACING_SESSION}`,
    ),
    deleteSession: db.prepare<[string, string]>(`DELETE FROM ${S} WHERE user_id = ? AND session_id = ?`),
    sessionsOf: db.prepare<[string, number, number], { data: string }>(
      `SELECT data FROM ${S} WHERE user_id = ? AND started_at BETWEEN ? AND ?
       ORDER BY started_at DESC, first_message_id DESC`,
    ),
    // a key range of (user_id, started_at); MIN of two arguments is SQLite's scalar min
    totals: db.prepare<{ userId: string; from: number; to: number }, { sessions: number; durationMs: number }>(
      `SELECT COUNT(*) AS sessions, COALESCE(SUM(MIN(duration_ms, @to - started_at)), 0) AS durationMs
       FROM ${S} WHERE user_id = @userId AND started_at BETWEEN @from AND @to`,
    ),
    // nearest rank: the value at rank ⌈p·n⌉, that is (n + 1) / 2 and (9n + 9) / 10 in integers
    byDay: db.prepare<[string, string], SessionDayCount>(
      `WITH ranked AS (
         SELECT day, user_id, duration_ms, page_views,
           ROW_NUMBER() OVER (PARTITION BY day ORDER BY duration_ms) AS rank,
           COUNT(*) OVER (PARTITION BY day) AS n
         FROM ${S} WHERE day BETWEEN ? AND ?
       )
       SELECT day AS date, COUNT(*) AS sessions, COUNT(DISTINCT user_id) AS users,
         MAX(CASE WHEN rank = (n + 1) / 2 THEN duration_ms END) AS medianDurationMs,
         MAX(CASE WHEN rank = (9 * n + 9) / 10 THEN duration_ms END) AS p90DurationMs,
         SUM(page_views = 1) AS bounces
       FROM ranked GROUP BY day ORDER BY day`,
    ),
  };
};
export type SessionStatements = ReturnType<typeof sessionStatements>;

/** the writer that runs one statement per call, inside the caller's transaction */
export const statementWriter = (s: SessionStatements): SessionWriter => ({
  addActivity: (userId, activity) =>
    s.addActivity.run(userId, activity.messageId, Date.parse(activity.occurredAt), activityDataOf(activity)).changes >
    0,
  activities: (userId, { from, before }) =>
    s.activities.all(userId, ...boundOf(from, FIRST), ...boundOf(before, LAST)).map(activityOfRow),
  latestSession: (userId) => sessionOf(s.latest.get(userId)),
  sessionStartedBefore: (userId, at) => sessionOf(s.startedBefore.get(userId, Date.parse(at))),
  sessionsFrom: (userId, from) =>
    s.sessionsFrom.all(userId, ...boundOf(from, FIRST)).map((row) => JSON.parse(row.data) as Session),
  putSession: (session) => {
    s.putSession.run(...sessionRowOf(session));
  },
  deleteSessions: (userId, sessionIds) => {
    for (const id of sessionIds) s.deleteSession.run(userId, id);
  },
});
