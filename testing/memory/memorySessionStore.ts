import { type Position, samePosition } from '../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../application/ports/readModels/readModels.ts';
import type {
  ActivityBound,
  SessionDayCount,
  SessionRange,
  SessionStore,
  SessionWriter,
  UserSessionTotals,
} from '../../application/ports/sessionStore/sessionStore.ts';
import type { Activity } from '../../domain/sessions/activity.ts';
import type { Session } from '../../domain/sessions/session.ts';

type State = {
  activities: Map<string, Activity[]>;
  sessions: Map<string, Session>;
  checkpoints: Map<string, Position>;
};

/** (time, messageId) order, the order sessions are cut in */
const compare = (a: ActivityBound, b: ActivityBound): number =>
  Date.parse(a.at) - Date.parse(b.at) || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
const boundOf = (a: Activity): ActivityBound => ({ at: a.occurredAt, messageId: a.messageId });
const startOf = (s: Session): ActivityBound => ({ at: s.startedAt, messageId: s.firstMessageId });

const nearestRank = (sorted: readonly number[], p: number): number => sorted[Math.ceil(p * sorted.length) - 1] ?? 0;

/** The reference adapter: a transaction works on a copy that replaces the state when `apply` returns. */
export class MemorySessionStore implements SessionStore {
  private state: State = { activities: new Map(), sessions: new Map(), checkpoints: new Map() };

  async readCheckpoint(projection: string): Promise<Position | null> {
    return this.state.checkpoints.get(projection) ?? null;
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: SessionWriter) => void,
  ): Promise<CheckpointResult> {
    const current = this.state.checkpoints.get(projection) ?? null;
    if (!samePosition(current, checkpoint.from)) return { kind: 'mismatch', current };
    const next: State = {
      activities: new Map([...this.state.activities].map(([user, list]) => [user, [...list]])),
      sessions: new Map(this.state.sessions),
      checkpoints: new Map(this.state.checkpoints),
    };
    apply(writerOf(next));
    next.checkpoints.set(projection, checkpoint.to);
    this.state = next;
    return { kind: 'stored' };
  }

  async sessionsOf(userId: string, range: SessionRange = {}): Promise<Session[]> {
    return [...this.state.sessions.values()]
      .filter(
        (s) =>
          s.userId === userId &&
          (range.from === undefined || Date.parse(s.startedAt) >= Date.parse(range.from)) &&
          (range.to === undefined || Date.parse(s.startedAt) <= Date.parse(range.to)),
      )
      .sort((a, b) => compare(startOf(b), startOf(a)));
  }

  async sessionTotalsOf(userIds: readonly string[], range: Required<SessionRange>): Promise<UserSessionTotals[]> {
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    const totals: UserSessionTotals[] = [];
    for (const userId of userIds) {
      let sessions = 0;
      let durationMs = 0;
      for (const s of this.state.sessions.values()) {
        const start = Date.parse(s.startedAt);
        if (s.userId !== userId || start < from || start > to) continue;
        sessions++;
        durationMs += Math.min(s.durationMs, to - start);
      }
      if (sessions > 0) totals.push({ userId, sessions, durationMs });
    }
    return totals;
  }

  async sessionsByDay(from: string, to: string): Promise<SessionDayCount[]> {
    const byDay = new Map<string, Session[]>();
    for (const s of this.state.sessions.values()) {
      const date = s.startedAt.slice(0, 10);
      if (date < from || date > to) continue;
      byDay.set(date, [...(byDay.get(date) ?? []), s]);
    }
    return [...byDay]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, sessions]) => {
        const durations = sessions.map((s) => s.durationMs).sort((a, b) => a - b);
        return {
          date,
          sessions: sessions.length,
          users: new Set(sessions.map((s) => s.userId)).size,
          medianDurationMs: nearestRank(durations, 0.5),
          p90DurationMs: nearestRank(durations, 0.9),
          bounces: sessions.filter((s) => s.pageViews === 1).length,
        };
      });
  }

  async close(): Promise<void> {}
}

const writerOf = (state: State): SessionWriter => {
  const sessionsOfUser = (userId: string): Session[] =>
    [...state.sessions.values()].filter((s) => s.userId === userId).sort((a, b) => compare(startOf(a), startOf(b)));
  return {
    addActivity(userId, activity) {
      const list = state.activities.get(userId) ?? [];
      if (list.some((a) => a.messageId === activity.messageId)) return false;
      list.push(activity);
      state.activities.set(userId, list);
      return true;
    },
    activities(userId, { from, before }) {
      return (state.activities.get(userId) ?? [])
        .filter(
          (a) =>
            (from === undefined || compare(boundOf(a), from) >= 0) &&
            (before === undefined || compare(boundOf(a), before) < 0),
        )
        .sort((a, b) => compare(boundOf(a), boundOf(b)));
    },
    latestSession(userId) {
      return sessionsOfUser(userId).at(-1);
    },
    sessionStartedBefore(userId, at) {
      return sessionsOfUser(userId)
        .filter((s) => Date.parse(s.startedAt) < Date.parse(at))
        .at(-1);
    },
    sessionsFrom(userId, from) {
      return sessionsOfUser(userId).filter((s) => from === undefined || compare(startOf(s), from) >= 0);
    },
    putSession(session) {
      state.sessions.set(session.sessionId, session);
    },
    deleteSessions(_userId, sessionIds) {
      for (const id of sessionIds) state.sessions.delete(id);
    },
  };
};
