import type pg from 'pg';
import type { Activity } from '../../../domain/sessions/activity.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import { withoutNul } from '../readModels/withoutNul.ts';
import type { SessionSnapshot, SessionWants } from './recordingSessionWriter.ts';
import {
  compareKeys,
  instantParam,
  LAST,
  minKey,
  type SessionKey,
  sessionKeyOf,
  userMessageKey,
} from './sessionKeys.ts';

const KEY = '(started_at, first_message_id)';
const keyParams = (key: SessionKey): [string, string] => [instantParam(key.ms), withoutNul(key.messageId)];
const EVERYTHING: SessionKey = { ms: Number.NEGATIVE_INFINITY, messageId: '' };

/**
 * Reads what a session transaction asked for, inside its transaction, from the tables of
 * `schema` (`journey`, or a rebuild's shadow): the latest session of the users nothing is
 * known of in one query; the rarer reads of a late event (sessions further back, a range of
 * activity) one query each.
 */
export const sessionStateLoader =
  (client: pg.ClientBase, schema: string) =>
  async (wants: SessionWants, into: SessionSnapshot): Promise<void> => {
    const S = `${schema}.sessions`;
    const A = `${schema}.session_activity`;
    const remember = (userId: string, floor: SessionKey | null, rows: readonly { data: Session }[]) => {
      const known = into.sessions.get(userId);
      const byId = known?.byId ?? new Map<string, Session>();
      for (const { data } of rows) byId.set(data.sessionId, data);
      const merged =
        known === undefined ? floor : known.floor === null || floor === null ? null : minKey(known.floor, floor);
      into.sessions.set(userId, { floor: merged, byId });
    };
    const floorOf = (userId: string): SessionKey => {
      const known = into.sessions.get(userId);
      return known === undefined ? LAST : (known.floor ?? EVERYTHING);
    };

    if (wants.latest.size > 0) {
      const users = [...wants.latest];
      const { rows } = await client.query<{ data: Session | null }>(
        `SELECT s.data FROM unnest($1::text[]) WITH ORDINALITY AS u(user_id, n)
         LEFT JOIN LATERAL (SELECT data FROM ${S} WHERE user_id = u.user_id
           ORDER BY started_at DESC, first_message_id DESC LIMIT 1) s ON true
         ORDER BY u.n`,
        [users.map(withoutNul)],
      );
      for (const [i, userId] of users.entries()) {
        const data = rows[i]?.data ?? null;
        remember(userId, data === null ? null : sessionKeyOf(data), data === null ? [] : [{ data }]);
      }
    }
    for (const [userId, key] of wants.from) {
      const floor = floorOf(userId);
      if (compareKeys(key, floor) >= 0) continue;
      const { rows } = await client.query<{ data: Session }>(
        `SELECT data FROM ${S} WHERE user_id = $1 AND ${KEY} >= ($2::timestamptz, $3::text COLLATE "C")
           AND ${KEY} < ($4::timestamptz, $5::text COLLATE "C")`,
        [withoutNul(userId), ...keyParams(key), ...keyParams(floor)],
      );
      remember(userId, key.ms === Number.NEGATIVE_INFINITY ? null : key, rows);
    }
    for (const [userId, key] of wants.below) {
      const floor = floorOf(userId);
      const bound = minKey(key, floor);
      const { rows: lower } = await client.query<{ data: Session }>(
        `SELECT data FROM ${S} WHERE user_id = $1 AND ${KEY} < ($2::timestamptz, $3::text COLLATE "C")
         ORDER BY started_at DESC, first_message_id DESC LIMIT 1`,
        [withoutNul(userId), ...keyParams(bound)],
      );
      const last = lower[0]?.data;
      const from = last === undefined ? null : sessionKeyOf(last);
      const { rows } = await client.query<{ data: Session }>(
        `SELECT data FROM ${S} WHERE user_id = $1 AND ${KEY} >= ($2::timestamptz, $3::text COLLATE "C")
           AND ${KEY} < ($4::timestamptz, $5::text COLLATE "C")`,
        [withoutNul(userId), ...keyParams(from ?? EVERYTHING), ...keyParams(floor)],
      );
      remember(userId, from, rows);
    }

    if (wants.activityIds.size > 0) {
      const asked = [...wants.activityIds.values()];
      for (const { userId, messageId } of asked) into.activityIds.set(userMessageKey(userId, messageId), false);
      const users = asked.map((a) => withoutNul(a.userId));
      const messages = asked.map((a) => withoutNul(a.messageId));
      const { rows } = await client.query<{ n: number }>(
        `SELECT w.n::int AS n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(user_id, message_id, n)
         WHERE EXISTS (SELECT 1 FROM ${A} a WHERE a.user_id = w.user_id AND a.message_id = w.message_id)`,
        [users, messages],
      );
      for (const { n } of rows) {
        const a = asked[n - 1];
        if (a) into.activityIds.set(userMessageKey(a.userId, a.messageId), true);
      }
    }
    for (const [key, range] of wants.activityRanges) {
      const { rows } = await client.query<{ data: Activity }>(
        `SELECT data FROM ${A} WHERE user_id = $1
           AND (at, message_id) >= ($2::timestamptz, $3::text COLLATE "C") AND (at, message_id) < ($4::timestamptz, $5::text COLLATE "C")
         ORDER BY at, message_id`,
        [withoutNul(range.userId), ...keyParams(range.from), ...keyParams(range.before)],
      );
      into.activityRanges.set(
        key,
        rows.map((r) => r.data),
      );
    }
  };
