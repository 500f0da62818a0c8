import type { ActivityBound } from '../../../application/ports/sessionStore/sessionStore.ts';
import type { Activity } from '../../../domain/sessions/activity.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import { compareText } from '../compareText.ts';

/** where an activity or a session's first event sits in a user's activity: time (epoch ms), then messageId */
export type SessionKey = { readonly ms: number; readonly messageId: string };

export const FIRST: SessionKey = { ms: Number.NEGATIVE_INFINITY, messageId: '' };
export const LAST: SessionKey = { ms: Number.POSITIVE_INFINITY, messageId: '' };

export const compareKeys = (a: SessionKey, b: SessionKey): number =>
  a.ms === b.ms ? compareText(a.messageId, b.messageId) : a.ms < b.ms ? -1 : 1;

export const minKey = (a: SessionKey, b: SessionKey): SessionKey => (compareKeys(a, b) <= 0 ? a : b);

/** times are stored to the millisecond, as SQLite's epoch ms: Date.parse drops finer digits alike */
export const sessionKeyOf = (s: Session): SessionKey => ({ ms: Date.parse(s.startedAt), messageId: s.firstMessageId });
export const activityKeyOf = (a: Activity): SessionKey => ({ ms: Date.parse(a.occurredAt), messageId: a.messageId });
export const boundKeyOf = (bound: ActivityBound): SessionKey => ({
  ms: Date.parse(bound.at),
  messageId: bound.messageId,
});

/** a key's time as a timestamptz parameter */
export const instantParam = (ms: number): string =>
  ms === Number.NEGATIVE_INFINITY
    ? '-infinity'
    : ms === Number.POSITIVE_INFINITY
      ? 'infinity'
      : new Date(ms).toISOString();

export const userMessageKey = (userId: string, messageId: string): string => JSON.stringify([userId, messageId]);
