import type { SessionWriter } from '../../../application/ports/sessionStore/sessionStore.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import type { ActivityStage, SessionStage } from './bulkStages.ts';

/** above this many users the latest sessions held cost more memory than their reads save (about 1 KB each) */
export const BULK_MAX_USERS = 250_000;

export type BulkStages = { readonly activity: ActivityStage; readonly sessions: SessionStage };

/**
 * A bulk load's writer: each user's latest session is kept in memory instead of read back,
 * a session changed by many events is written once per commit, by `flush`, and activity and
 * sessions go to stages (see bulkStages.ts). A late event's recut reads and writes the tables:
 * before any read of a user's sessions, what is held of that user is written and the stages
 * are merged, and their latest session is read again later.
 */
export class BulkSessionWriter implements SessionWriter {
  /** each user's latest session as this load left it (null: none); a user missing is read from the table */
  private readonly latest = new Map<string, Session | null>();
  /** sessions put since they were last written, by user then id */
  private readonly pending = new Map<string, Map<string, Session>>();
  /** users with sessions in the stage, not yet merged into the table */
  private readonly staged = new Set<string>();

  constructor(
    private readonly tables: SessionWriter,
    /** none: everything goes to the tables at once */
    private stages: BulkStages | undefined,
  ) {}

  /** true for every staged activity, a redelivery too (see ActivityStage) */
  addActivity(userId: string, activity: Parameters<SessionWriter['addActivity']>[1]): boolean {
    if (!this.stages) return this.tables.addActivity(userId, activity);
    this.stages.activity.addActivity(userId, activity);
    return true;
  }

  activities(userId: string, range: Parameters<SessionWriter['activities']>[1]) {
    this.stages?.activity.flush();
    return this.tables.activities(userId, range);
  }

  /** writes the sessions held and moves the staged rows into their tables for good */
  finish(): void {
    this.flush();
    this.stages?.activity.drop();
    this.stages?.sessions.drop();
    this.stages = undefined;
  }

  latestSession(userId: string): Session | undefined {
    const known = this.latest.get(userId);
    if (known !== undefined) return known ?? undefined;
    this.write(userId);
    this.mergeSessionsOf(userId);
    const stored = this.tables.latestSession(userId);
    this.latest.set(userId, stored ?? null);
    return stored;
  }

  sessionStartedBefore(userId: string, at: string): Session | undefined {
    this.forget(userId);
    return this.tables.sessionStartedBefore(userId, at);
  }

  sessionsFrom(userId: string, from: Parameters<SessionWriter['sessionsFrom']>[1]): Session[] {
    this.forget(userId);
    return this.tables.sessionsFrom(userId, from);
  }

  putSession(session: Session): void {
    const { userId } = session;
    const held = this.pending.get(userId) ?? new Map<string, Session>();
    if (held.size === 0) this.pending.set(userId, held);
    held.set(session.sessionId, session);
    const known = this.latest.get(userId);
    if (known === undefined) return;
    if (known === null || known.sessionId === session.sessionId) this.latest.set(userId, session);
    else {
      const later = Date.parse(session.startedAt) - Date.parse(known.startedAt);
      // on a tie the table's order of message ids decides: read it back rather than guess
      if (later > 0) this.latest.set(userId, session);
      else if (later === 0) this.latest.delete(userId);
    }
  }

  deleteSessions(userId: string, sessionIds: readonly string[]): void {
    this.forget(userId);
    this.tables.deleteSessions(userId, sessionIds);
  }

  /** writes every session and activity held; past BULK_MAX_USERS, the latest sessions are read from the table again */
  flush(): void {
    for (const userId of this.pending.keys()) this.write(userId);
    this.stages?.activity.write();
    this.stages?.sessions.write();
    if (this.latest.size > BULK_MAX_USERS) this.latest.clear();
  }

  /** a recut reads and rewrites the user's sessions in the table: write what is held, read the latest again later */
  private forget(userId: string): void {
    this.write(userId);
    this.mergeSessionsOf(userId);
    this.latest.delete(userId);
  }

  /** before the table is read for a user: their staged sessions (and everyone's) are merged into it */
  private mergeSessionsOf(userId: string): void {
    if (!this.staged.has(userId)) return;
    this.stages?.sessions.flush();
    this.staged.clear();
  }

  private write(userId: string): void {
    const held = this.pending.get(userId);
    if (held === undefined) return;
    this.pending.delete(userId);
    const stage = this.stages?.sessions;
    if (stage) this.staged.add(userId);
    for (const session of held.values()) (stage ?? this.tables).putSession(session);
  }
}
