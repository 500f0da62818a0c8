import type { LatestEvents, ReportedUser } from '../../../application/ports/readModels/readModels.ts';
import type { SqliteDatabase } from '../openDatabase.ts';

type UserPageRow = { user_id: string; signed_up_at: string; email: string | null; name: string | null };
type DayRow = { user_id: string; first_at: string; last_at: string };

const USER_PAGE = `SELECT user_id, signed_up_at, email, name FROM users
  WHERE signed_up_at IS NOT NULL AND signed_up_at <= @asOf`;
// keyset pages in (signed_up_at DESC, user_id): the signed_up_at index read backwards, ties sorted apart
const PAGE_ORDER = 'ORDER BY signed_up_at DESC, user_id LIMIT @limit';

/**
 * The read-model queries the daily report needs, page by page: each page is its own short read, so
 * neither the connection nor the reader is held for the whole report.
 */
export const prepareReportStatements = (db: SqliteDatabase) => {
  const firstUsers = db.prepare<{ asOf: string; limit: number }, UserPageRow>(`${USER_PAGE} ${PAGE_ORDER}`);
  const nextUsers = db.prepare<{ asOf: string; limit: number; at: string; id: string }, UserPageRow>(
    `${USER_PAGE} AND (signed_up_at < @at OR (signed_up_at = @at AND user_id > @id)) ${PAGE_ORDER}`,
  );
  const days = db.prepare<{ ids: string; asOf: string }, DayRow>(
    `SELECT user_id, first_at, last_at FROM activity_days
     WHERE user_id IN (SELECT value FROM json_each(@ids)) AND first_at <= @asOf ORDER BY user_id, day`,
  );
  // one index range of (user_id, occurred_at, seq) per user, read backwards and cut at the limit
  const latest = db.prepare<[userId: string, asOf: string, limit: number], { type: string; occurred_at: string }>(
    `SELECT type, occurred_at FROM timeline WHERE user_id = ? AND occurred_at <= ?
     ORDER BY occurred_at DESC, seq DESC LIMIT ?`,
  );

  const pageOf = (rows: readonly UserPageRow[], asOf: string): ReportedUser[] => {
    const daysOf = new Map<string, { firstAt: string; lastAt: string }[]>();
    for (const row of days.iterate({ ids: JSON.stringify(rows.map((r) => r.user_id)), asOf })) {
      let list = daysOf.get(row.user_id);
      if (list === undefined) {
        list = [];
        daysOf.set(row.user_id, list);
      }
      list.push({ firstAt: row.first_at, lastAt: row.last_at });
    }
    return rows.map((r) => ({
      userId: r.user_id,
      signedUpAt: r.signed_up_at,
      ...(r.email === null ? {} : { email: r.email }),
      ...(r.name === null ? {} : { name: r.name }),
      days: daysOf.get(r.user_id) ?? [],
    }));
  };

  return {
    activityHistories: async function* (asOf: string, pageSize: number): AsyncIterable<readonly ReportedUser[]> {
      let rows = firstUsers.all({ asOf, limit: pageSize });
      while (rows.length > 0) {
        yield pageOf(rows, asOf);
        const last = rows.at(-1) as UserPageRow;
        if (rows.length < pageSize) return;
        rows = nextUsers.all({ asOf, limit: pageSize, at: last.signed_up_at, id: last.user_id });
      }
    },
    latestEventsOf: (userIds: readonly string[], asOf: string, perUser: number): LatestEvents[] => {
      const result: LatestEvents[] = [];
      for (const userId of userIds) {
        const events = latest.all(userId, asOf, perUser).map((e) => ({ type: e.type, occurredAt: e.occurred_at }));
        if (events.length > 0) result.push({ userId, events });
      }
      return result;
    },
  };
};
