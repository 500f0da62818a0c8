import type pg from 'pg';
import type { UserProfile } from '../../../application/ports/readModels/readModels.ts';

/** one activity day: its first and last instant, `toISOString` text */
export type Span = { readonly first: string; readonly last: string };
/** a user's sign-up and activity days (by `YYYY-MM-DD`) as the tables hold them */
export type StoredHistory = { readonly signedUpAt: string | null; readonly days: ReadonlyMap<string, Span> };

export const NO_HISTORY: StoredHistory = { signedUpAt: null, days: new Map() };

/**
 * Where a batch reads the stored histories of the users it changed, and tells what it wrote:
 * the tables (one query), or a bulk load's copy of them in memory (usersMirror.ts).
 */
export interface StoredHistories {
  /** every user of the tables is known: a user not found has no profile (no read needed) */
  readonly complete: boolean;
  /** the profiles the copy holds (complete only) */
  readonly profiles: ReadonlyMap<string, UserProfile | null>;
  read(client: pg.ClientBase, userIds: readonly string[]): Promise<Map<string, StoredHistory>>;
  wrote(userId: string, profile: UserProfile | undefined, days: ReadonlyMap<string, Span>): void;
}

/** a timestamptz as `toISOString` text, made by the server: compared with the batch's own instants */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const storedHistoriesSql = (schema: string): string => `SELECT ids.user_id, ${iso('u.signed_up_at')} AS signed_up_at,
    to_char(a.day, 'YYYY-MM-DD') AS day, ${iso('a.first_at')} AS first_at, ${iso('a.last_at')} AS last_at
  FROM unnest($1::text[]) AS ids(user_id)
  LEFT JOIN ${schema}.users u ON u.user_id = ids.user_id
  LEFT JOIN ${schema}.activity_days a ON a.user_id = ids.user_id`;

type HistoryRow = {
  user_id: string;
  signed_up_at: string | null;
  day: string | null;
  first_at: string | null;
  last_at: string | null;
};

/** the stored histories read from the tables of `schema`, in the caller's transaction */
export const tableHistoriesIn = (schema: string): StoredHistories => ({
  complete: false,
  profiles: new Map(),
  async read(client, userIds) {
    const histories = new Map<string, { signedUpAt: string | null; days: Map<string, Span> }>();
    if (userIds.length === 0) return histories;
    for (const row of (await client.query<HistoryRow>(storedHistoriesSql(schema), [userIds])).rows) {
      let history = histories.get(row.user_id);
      if (history === undefined) {
        history = { signedUpAt: row.signed_up_at, days: new Map() };
        histories.set(row.user_id, history);
      }
      if (row.day !== null && row.first_at !== null && row.last_at !== null)
        history.days.set(row.day, { first: row.first_at, last: row.last_at });
    }
    return histories;
  },
  wrote() {},
});

export const tableHistories: StoredHistories = tableHistoriesIn('journey');
