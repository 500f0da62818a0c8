import type pg from 'pg';
import { jsonWithoutNul, withoutNul } from '../readModels/withoutNul.ts';
import type { SessionChanges } from './recordingSessionWriter.ts';
import { instantParam } from './sessionKeys.ts';

/** the new activity and the sessions put, in one statement; a session's id decides its key, so they never collide */
const writeSql = (schema: string): string => `
WITH activity AS (
  INSERT INTO ${schema}.session_activity (user_id, at, message_id, data)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::jsonb[])
  ON CONFLICT DO NOTHING
)
INSERT INTO ${schema}.sessions (session_id, user_id, started_at, first_message_id, day, duration_ms, page_views, data)
SELECT * FROM unnest($5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::date[], $10::bigint[], $11::int[], $12::jsonb[])
ON CONFLICT (session_id) DO UPDATE SET user_id = excluded.user_id, started_at = excluded.started_at,
  first_message_id = excluded.first_message_id, day = excluded.day, duration_ms = excluded.duration_ms,
  page_views = excluded.page_views, data = excluded.data`;

/** Stores what a session transaction wrote, in the caller's transaction: deletions first, as they were made. */
export const writeSessionChanges = async (
  client: pg.ClientBase,
  changes: SessionChanges,
  schema: string,
): Promise<void> => {
  const { activities, puts, deletes } = changes;
  if (deletes.length > 0)
    await client.query(
      `DELETE FROM ${schema}.sessions s USING unnest($1::text[], $2::text[]) AS d(user_id, session_id)
       WHERE s.user_id = d.user_id AND s.session_id = d.session_id`,
      [deletes.map((d) => withoutNul(d.userId)), deletes.map((d) => withoutNul(d.sessionId))],
    );
  if (activities.length + puts.length === 0) return;
  await client.query(writeSql(schema), [
    activities.map((a) => withoutNul(a.userId)),
    activities.map((a) => instantParam(Date.parse(a.activity.occurredAt))),
    activities.map((a) => withoutNul(a.activity.messageId)),
    activities.map((a) => jsonWithoutNul(JSON.stringify(a.activity))),
    puts.map((s) => withoutNul(s.sessionId)),
    puts.map((s) => withoutNul(s.userId)),
    puts.map((s) => instantParam(Date.parse(s.startedAt))),
    puts.map((s) => withoutNul(s.firstMessageId)),
    // the day as SQLite keeps it: the start's own date, as the projection wrote it
    puts.map((s) => s.startedAt.slice(0, 10)),
    puts.map((s) => s.durationMs),
    puts.map((s) => s.pageViews),
    puts.map((s) => jsonWithoutNul(JSON.stringify(s))),
  ]);
};
