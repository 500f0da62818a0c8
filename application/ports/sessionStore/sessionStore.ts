import type { Activity } from '../../../domain/sessions/activity.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import type { Position } from '../eventStore/eventStore.ts';
import type { CheckpointResult } from '../readModels/readModels.ts';

/** a place in a user's activity: event time (ISO), then messageId, the order sessions are cut in */
export type ActivityBound = { readonly at: string; readonly messageId: string };

/** Reads and writes inside one transaction; synchronous. The sessions projection decides, the writer stores. */
export interface SessionWriter {
  /**
   * records one raw event's activity; false when the user has it already (a redelivery, an
   * anonymous copy). A bulk load may answer true for a copy it holds: the copy is never after
   * the user's latest session, so the projection recuts, and the recut keeps one of each.
   */
  addActivity(userId: string, activity: Activity): boolean;
  /** the user's activity from `from` (included) to `before` (excluded), by time then messageId */
  activities(userId: string, range: { readonly from?: ActivityBound; readonly before?: ActivityBound }): Activity[];
  /** the user's session that started last */
  latestSession(userId: string): Session | undefined;
  /** the user's last session that started strictly before `at` (ISO) */
  sessionStartedBefore(userId: string, at: string): Session | undefined;
  /** the user's sessions whose first event is `from` or after it (all when undefined), oldest first */
  sessionsFrom(userId: string, from: ActivityBound | undefined): Session[];
  /** writes the session, replacing the one with its id */
  putSession(session: Session): void;
  deleteSessions(userId: string, sessionIds: readonly string[]): void;
}

/**
 * Sessions that started on one UTC day (`YYYY-MM-DD`). Durations are by nearest rank (the
 * value at rank ⌈p·n⌉ of the day's sorted durations, PostgreSQL's percentile_disc), so every
 * adapter gives the same numbers.
 */
export type SessionDayCount = {
  readonly date: string;
  readonly sessions: number;
  /** users with at least one session that started that day */
  readonly users: number;
  readonly medianDurationMs: number;
  readonly p90DurationMs: number;
  /** sessions with exactly one page view */
  readonly bounces: number;
};

export type SessionRange = { readonly from?: string; readonly to?: string };

/** One user's sessions that started in a range: how many, and their time. */
export type UserSessionTotals = {
  readonly userId: string;
  readonly sessions: number;
  /** their durations summed, each cut at the range's end: a session still going on then counts up to it */
  readonly durationMs: number;
};

export interface SessionStore {
  readCheckpoint(projection: string): Promise<Position | null>;
  /** as ReadModelStore.applyBatch: `apply` and the checkpoint move in one transaction */
  applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: SessionWriter) => void,
  ): Promise<CheckpointResult>;
  /** the user's sessions that started in [from, to] (ISO instants, both optional), newest first */
  sessionsOf(userId: string, range?: SessionRange): Promise<Session[]>;
  /**
   * Of each of `userIds` with a session that started in [from, to] (ISO instants), the count and time,
   * in `userIds` order; users without one are left out. One key range per user, so the daily report
   * reads them a page of users at a time.
   */
  sessionTotalsOf(userIds: readonly string[], range: Required<SessionRange>): Promise<UserSessionTotals[]>;
  /** days from `from` to `to` (YYYY-MM-DD, both included) with any session, in order */
  sessionsByDay(from: string, to: string): Promise<SessionDayCount[]>;
  close(): Promise<void>;
}

export const SessionStoreToken = Symbol.for('journey.SessionStore');
