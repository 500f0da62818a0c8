import type { UserProfile } from '../../../application/ports/readModels/readModels.ts';

/** one row of `activity_days` for a known user */
export type ActivityDayRow = { readonly day: string; readonly first_at: string; readonly last_at: string };

type MirroredUser = { profile: UserProfile | null; days: readonly ActivityDayRow[] };

/** above this many users the copy costs more memory than its reads save (about 0.5 KB a user) */
export const MIRROR_MAX_USERS = 500_000;

/**
 * A complete copy, in memory, of the `users` and `activity_days` rows, for a connection
 * that fills those tables from empty while nobody else writes them (a projection's bulk
 * load, a rebuild's shadow). Every user the tables hold is here, so a user who is not is
 * not in the tables either: a batch then reads no profile and no activity days from SQLite.
 * It follows the connection's own writes, committed or not; its owner drops it whenever it
 * may disagree with the tables: a transaction rolled back, another writer moved the
 * checkpoint, the schema changed (a rebuild swapped tables in), or it grew past
 * `MIRROR_MAX_USERS`.
 */
export class UsersMirror {
  private readonly users = new Map<string, MirroredUser>();

  constructor(
    /** `PRAGMA schema_version` when the copy was started: a change means the tables were replaced */
    readonly schemaVersion: number,
  ) {}

  get size(): number {
    return this.users.size;
  }

  /** the user's profile as written (null: no row) */
  profile(userId: string): UserProfile | null {
    return this.users.get(userId)?.profile ?? null;
  }

  /** the user's activity days as written */
  days(userId: string): readonly ActivityDayRow[] {
    return this.users.get(userId)?.days ?? [];
  }

  /** what a batch wrote for the user: its profile (null: unchanged) and, if changed, all its days */
  put(userId: string, profile: UserProfile | null, days: readonly ActivityDayRow[] | null): void {
    const known = this.users.get(userId);
    this.users.set(userId, { profile: profile ?? known?.profile ?? null, days: days ?? known?.days ?? [] });
  }
}
