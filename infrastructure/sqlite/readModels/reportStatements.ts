import type { ActivityHistory, LatestEvents } from '../../../application/ports/readModels/readModels.ts';
import type { SqliteDatabase } from '../openDatabase.ts';

/** The read-model queries the daily report needs, each one pass over its table. */
export const prepareReportStatements = (db: SqliteDatabase) => {
  const history = db.prepare<
    { asOf: string },
    { user_id: string; signed_up_at: string; first_at: string | null; last_at: string | null }
  >(
    `SELECT u.user_id, u.signed_up_at, a.first_at, a.last_at
     FROM users u LEFT JOIN activity_days a ON a.user_id = u.user_id AND a.first_at <= @asOf
     WHERE u.signed_up_at IS NOT NULL AND u.signed_up_at <= @asOf
     ORDER BY u.user_id, a.day`,
  );
  // the (user_id, occurred_at, seq) index gives each user's rows in order, so no sort is needed
  const latest = db.prepare<{ asOf: string; n: number }, { user_id: string; type: string; occurred_at: string }>(
    `SELECT user_id, type, occurred_at FROM (
       SELECT user_id, type, occurred_at,
         ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY occurred_at DESC, seq DESC) AS rn
       FROM timeline WHERE occurred_at <= @asOf)
     WHERE rn <= @n ORDER BY user_id, rn`,
  );
  return {
    activityHistory: (asOf: string): ActivityHistory[] => {
      const result: { userId: string; signedUpAt: string; days: { firstAt: string; lastAt: string }[] }[] = [];
      let current: (typeof result)[number] | undefined;
      for (const row of history.iterate({ asOf })) {
        if (current?.userId !== row.user_id) {
          current = { userId: row.user_id, signedUpAt: row.signed_up_at, days: [] };
          result.push(current);
        }
        if (row.first_at !== null && row.last_at !== null)
          current.days.push({ firstAt: row.first_at, lastAt: row.last_at });
      }
      return result;
    },
    latestEvents: (asOf: string, perUser: number): LatestEvents[] => {
      const result: { userId: string; events: { type: string; occurredAt: string }[] }[] = [];
      let current: (typeof result)[number] | undefined;
      for (const row of latest.iterate({ asOf, n: perUser })) {
        if (current?.userId !== row.user_id) {
          current = { userId: row.user_id, events: [] };
          result.push(current);
        }
        current.events.push({ type: row.type, occurredAt: row.occurred_at });
      }
      return result;
    },
  };
};
