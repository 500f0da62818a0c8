import type { ActivityBound, SessionWriter } from '../../../application/ports/sessionStore/sessionStore.ts';
import type { Activity } from '../../../domain/sessions/activity.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import {
  activityKeyOf,
  boundKeyOf,
  compareKeys,
  FIRST,
  LAST,
  minKey,
  type SessionKey,
  sessionKeyOf,
  userMessageKey,
} from './sessionKeys.ts';

/** A user's stored sessions from `floor` on, all of them (`floor` null: every one the user has). */
export type KnownSessions = { floor: SessionKey | null; readonly byId: Map<string, Session> };

/** The rows a transaction has read so far; `false` records an activity known to be absent. */
export type SessionSnapshot = {
  readonly sessions: Map<string, KnownSessions>;
  /** by `userMessageKey` */
  readonly activityIds: Map<string, boolean>;
  /** stored activities in a range, by `rangeKey` */
  readonly activityRanges: Map<string, readonly Activity[]>;
};

export type ActivityRange = { readonly userId: string; readonly from: SessionKey; readonly before: SessionKey };

/** What the writer was asked for that its snapshot does not hold, per user where it is about sessions. */
export type SessionWants = {
  /** users nothing is known of: their latest session */
  readonly latest: Set<string>;
  /** the stored sessions from the last one before the key (all, if none) up to the floor */
  readonly below: Map<string, SessionKey>;
  /** the stored sessions from the key up to the floor */
  readonly from: Map<string, SessionKey>;
  readonly activityIds: Map<string, { readonly userId: string; readonly messageId: string }>;
  readonly activityRanges: Map<string, ActivityRange>;
};

/** What `apply` wrote, to be stored in one go. */
export type SessionChanges = {
  readonly activities: readonly { readonly userId: string; readonly activity: Activity }[];
  readonly puts: readonly Session[];
  readonly deletes: readonly { readonly userId: string; readonly sessionId: string }[];
};

export const emptySessionSnapshot = (): SessionSnapshot => ({
  sessions: new Map(),
  activityIds: new Map(),
  activityRanges: new Map(),
});

export const rangeKey = (r: ActivityRange): string =>
  JSON.stringify([r.userId, r.from.ms, r.from.messageId, r.before.ms, r.before.messageId]);

const bySessionKey = (a: Session, b: Session): number => compareKeys(sessionKeyOf(a), sessionKeyOf(b));
const byActivityKey = (a: Activity, b: Activity): number => compareKeys(activityKeyOf(a), activityKeyOf(b));
/** as the store reads it back: what JSON keeps */
const asStored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A SessionWriter that answers from a snapshot plus its own writes, and records what it was
 * asked for that the snapshot lacks (answering from what it has meanwhile); see prefetchedApply.ts.
 */
export class RecordingSessionWriter implements SessionWriter {
  readonly wants: SessionWants = {
    latest: new Set(),
    below: new Map(),
    from: new Map(),
    activityIds: new Map(),
    activityRanges: new Map(),
  };
  private readonly added = new Map<string, { readonly userId: string; readonly activity: Activity }>();
  private readonly put = new Map<string, Map<string, Session>>();
  private readonly deleted = new Map<string, Set<string>>();

  constructor(private readonly snapshot: SessionSnapshot) {}

  asksForMore(): boolean {
    const w = this.wants;
    return w.latest.size + w.below.size + w.from.size + w.activityIds.size + w.activityRanges.size > 0;
  }

  changes(): SessionChanges {
    const deletes = [...this.deleted].flatMap(([userId, ids]) =>
      [...ids].filter((id) => !this.put.get(userId)?.has(id)).map((sessionId) => ({ userId, sessionId })),
    );
    return {
      activities: [...this.added.values()],
      puts: [...this.put.values()].flatMap((byId) => [...byId.values()]),
      deletes,
    };
  }

  addActivity(userId: string, activity: Activity): boolean {
    const key = userMessageKey(userId, activity.messageId);
    if (this.added.has(key)) return false;
    const stored = this.snapshot.activityIds.get(key);
    if (stored === undefined) this.wants.activityIds.set(key, { userId, messageId: activity.messageId });
    if (stored === true) return false;
    this.added.set(key, { userId, activity: asStored(activity) });
    return true;
  }

  activities(userId: string, range: { readonly from?: ActivityBound; readonly before?: ActivityBound }): Activity[] {
    const wanted: ActivityRange = {
      userId,
      from: range.from === undefined ? FIRST : boundKeyOf(range.from),
      before: range.before === undefined ? LAST : boundKeyOf(range.before),
    };
    const stored = this.snapshot.activityRanges.get(rangeKey(wanted));
    if (stored === undefined) this.wants.activityRanges.set(rangeKey(wanted), wanted);
    const inRange = (a: Activity) =>
      compareKeys(activityKeyOf(a), wanted.from) >= 0 && compareKeys(activityKeyOf(a), wanted.before) < 0;
    const own = [...this.added.values()].filter((a) => a.userId === userId && inRange(a.activity));
    return [...(stored ?? []), ...own.map((a) => a.activity)].sort(byActivityKey);
  }

  latestSession(userId: string): Session | undefined {
    const top = this.sessionsOf(userId).at(-1);
    this.known(userId, top);
    return top;
  }

  sessionStartedBefore(userId: string, at: string): Session | undefined {
    const bound: SessionKey = { ms: Date.parse(at), messageId: '' };
    const before = this.sessionsOf(userId).filter((s) => compareKeys(sessionKeyOf(s), bound) < 0);
    const last = before.at(-1);
    this.known(userId, last, bound);
    return last;
  }

  sessionsFrom(userId: string, from: ActivityBound | undefined): Session[] {
    const key = from === undefined ? FIRST : boundKeyOf(from);
    const known = this.snapshot.sessions.get(userId);
    if (!known || (known.floor !== null && compareKeys(key, known.floor) < 0)) {
      const asked = this.wants.from.get(userId);
      this.wants.from.set(userId, asked === undefined ? key : minKey(asked, key));
    }
    return this.sessionsOf(userId).filter((s) => compareKeys(sessionKeyOf(s), key) >= 0);
  }

  putSession(session: Session): void {
    const own = this.put.get(session.userId) ?? new Map<string, Session>();
    this.put.set(session.userId, own);
    own.set(session.sessionId, asStored(session));
  }

  deleteSessions(userId: string, sessionIds: readonly string[]): void {
    const gone = this.deleted.get(userId) ?? new Set<string>();
    this.deleted.set(userId, gone);
    for (const id of sessionIds) {
      this.put.get(userId)?.delete(id);
      gone.add(id);
    }
  }

  /**
   * Whether `found`, the last of the user's sessions (before `bound`), is the answer: it is
   * when every stored session from it on is loaded. Otherwise asks for the stored ones below.
   */
  private known(userId: string, found: Session | undefined, bound: SessionKey = LAST): void {
    const known = this.snapshot.sessions.get(userId);
    if (known === undefined) {
      if (bound === LAST) this.wants.latest.add(userId);
      else this.addBelow(userId, bound);
      return;
    }
    if (known.floor === null || (found && compareKeys(sessionKeyOf(found), known.floor) >= 0)) return;
    this.addBelow(userId, minKey(known.floor, bound));
  }

  private addBelow(userId: string, key: SessionKey): void {
    const asked = this.wants.below.get(userId);
    this.wants.below.set(userId, asked === undefined ? key : minKey(asked, key));
  }

  /** the user's sessions as this transaction stands: loaded, less deleted, with its own puts; by key */
  private sessionsOf(userId: string): Session[] {
    const stored = this.snapshot.sessions.get(userId)?.byId ?? new Map<string, Session>();
    const own = this.put.get(userId);
    const gone = this.deleted.get(userId);
    const kept = [...stored.values()].filter((s) => !gone?.has(s.sessionId) && !own?.has(s.sessionId));
    return [...kept, ...(own?.values() ?? [])].sort(bySessionKey);
  }
}
