import { journeyEventId } from '../../application/mapping/journeyEventId.ts';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import type { SessionWriter } from '../../application/ports/sessionStore/sessionStore.ts';
import {
  ACTIVITY_STREAM_PREFIX,
  type Activity,
  activitiesOf,
  userIdOfActivityStream,
} from '../../domain/sessions/activity.ts';
import {
  extendSession,
  isAfterSession,
  type SessionRules,
  sessionize,
  startSession,
} from '../../domain/sessions/sessionize.ts';
import type { Projection } from '../projection.ts';

/**
 * A session's id: UUID v8 of its first event's time and a hash of the user and that event's
 * messageId. A late event changes it only by becoming the session's new first event; merged
 * sessions keep the earlier one's id, and a split's first part keeps its own.
 */
export const sessionIdOf = (userId: string, first: Activity): string =>
  journeyEventId(Date.parse(first.occurredAt), 'session', userId, first.messageId);

export const sessionRulesOf = (timeoutMinutes: number): SessionRules => ({
  timeoutMs: timeoutMinutes * 60_000,
  sessionIdOf,
});

/**
 * Recuts the user's sessions around a late event `a` (already recorded). Cuts depend only on
 * earlier events, so the last session that started before `a` is kept up to its start; a cut
 * by a gap longer than the timeout that `a` does not fill resets everything, so the sessions
 * from the first such cut after `a` stay as they are. Only the sessions between are recut.
 */
const recut = (writer: SessionWriter, userId: string, a: Activity, rules: SessionRules): void => {
  const t = Date.parse(a.occurredAt);
  const before = writer.sessionStartedBefore(userId, a.occurredAt);
  const from = before === undefined ? undefined : { at: before.startedAt, messageId: before.firstMessageId };
  const stored = writer.sessionsFrom(userId, from);
  let keptFrom = stored.length;
  for (let i = 0; i < stored.length; i++) {
    const next = stored[i];
    if (next === undefined || Date.parse(next.startedAt) <= t) continue;
    const previousEnd = Math.max(i > 0 ? Date.parse(stored[i - 1]?.endedAt ?? '') : t, t);
    if (Date.parse(next.startedAt) - previousEnd > rules.timeoutMs) {
      keptFrom = i;
      break;
    }
  }
  const replaced = stored.slice(0, keptFrom);
  const kept = stored[keptFrom];
  const events = writer.activities(userId, {
    ...(from === undefined ? {} : { from }),
    ...(kept === undefined ? {} : { before: { at: kept.startedAt, messageId: kept.firstMessageId } }),
  });
  writer.deleteSessions(
    userId,
    replaced.map((s) => s.sessionId),
  );
  for (const session of sessionize(userId, events, rules)) writer.putSession(session);
};

const applyActivity = (writer: SessionWriter, userId: string, activity: Activity, rules: SessionRules): void => {
  if (!writer.addActivity(userId, activity)) return;
  const latest = writer.latestSession(userId);
  if (latest !== undefined && !isAfterSession(latest, activity)) {
    recut(writer, userId, activity, rules);
    return;
  }
  const extended = latest === undefined ? undefined : extendSession(latest, activity, rules);
  writer.putSession(extended ?? startSession(userId, activity, rules));
};

/**
 * Sessions from the activity streams (every raw event of each user, see the mapper). An event
 * after the user's last one extends or follows their latest session without reading anything
 * else; a late one recuts the few sessions it can change, so the result is always what cutting
 * all the user's events in time order gives, whatever order they arrived in.
 */
export const sessionsProjection = (timeoutMinutes: number): Projection<SessionWriter> => {
  const rules = sessionRulesOf(timeoutMinutes);
  return {
    name: 'sessions',
    version: 1,
    streamPrefix: ACTIVITY_STREAM_PREFIX,
    apply(recorded: RecordedEvent, writer) {
      const userId = userIdOfActivityStream(recorded.streamId);
      if (userId === undefined) return;
      // one activity (ActivityRecorded) or several (ActivitiesRecorded): each is applied as if
      // it had arrived alone, so the sessions do not depend on how the mapper grouped them
      for (const activity of activitiesOf(recorded.type, recorded.data) ?? []) {
        applyActivity(writer, userId, activity, rules);
      }
    },
  };
};
