import type pg from 'pg';
import { jsonWithoutNul, withoutNul } from '../readModels/withoutNul.ts';
import type { AutomationChanges } from './recordingAutomationWriter.ts';

/**
 * One statement, so a batch's writes cost one round trip whatever their number. The state and
 * checkpoint tables are in `schema` (a rebuild's shadow has its own); the outbox is always the live one.
 */
const writeSqlOf = (schema: string): string => `
WITH users AS (
  INSERT INTO ${schema}.automation_users (user_id, state) SELECT * FROM unnest($1::text[], $2::jsonb[])
  ON CONFLICT (user_id) DO UPDATE SET state = excluded.state
), started AS (
  INSERT INTO ${schema}.automation_timers (id, automation_id, user_id, event_id, event_type, started_at, due_at, data, status)
  SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::text[])
  ON CONFLICT (id) DO NOTHING
), ended AS (
  UPDATE ${schema}.automation_timers t SET status = e.status FROM unnest($12::text[], $13::text[]) AS e(id, status)
  WHERE t.id = e.id AND t.status = 'waiting'
), checkpoint AS (
  INSERT INTO ${schema}.automation_checkpoints (projection, position) SELECT $23::text, $24::text WHERE $23::text IS NOT NULL
  ON CONFLICT (projection) DO UPDATE SET position = excluded.position
), enqueued AS (
  INSERT INTO journey.automation_deliveries (id, automation_id, action, user_id, triggered_at, payload, created_at, status, next_attempt_at)
  SELECT id, automation_id, action, user_id, triggered_at, payload, created_at, 'pending', created_at
  FROM unnest($14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::jsonb[], $20::text[])
    WITH ORDINALITY AS d (id, automation_id, action, user_id, triggered_at, payload, created_at, n)
  ORDER BY n
  ON CONFLICT (id) DO NOTHING
  RETURNING 1
)
SELECT count(*)::int AS enqueued, CASE WHEN count(*) > 0 THEN pg_notify($21, $22) END AS notified FROM enqueued`;

/**
 * Stores what an automation transaction wrote, and the checkpoint when given, in the caller's
 * transaction; PostgreSQL tells the listeners in other processes at commit when deliveries
 * were new (`notify`: channel and payload). Returns how many were.
 */
export const writeAutomationChanges = async (
  client: pg.ClientBase,
  changes: AutomationChanges,
  notify: { readonly channel: string; readonly payload: string },
  checkpoint?: { readonly projection: string; readonly position: string },
  schema = 'journey',
): Promise<number> => {
  const { users, newTimers, endedTimers, deliveries } = changes;
  if (users.length + newTimers.length + endedTimers.length + deliveries.length === 0 && !checkpoint) return 0;
  const text = (values: readonly string[]) => values.map(withoutNul);
  const json = (values: readonly unknown[]) => values.map((v) => jsonWithoutNul(JSON.stringify(v ?? null)));
  const timers = newTimers.map((t) => t.timer);
  const { rows } = await client.query<{ enqueued: number }>(writeSqlOf(schema), [
    text(users.map((u) => u.userId)),
    json(users),
    text(timers.map((t) => t.id)),
    text(timers.map((t) => t.automationId)),
    text(timers.map((t) => t.userId)),
    text(timers.map((t) => t.eventId)),
    text(timers.map((t) => t.eventType)),
    timers.map((t) => t.startedAt),
    timers.map((t) => t.dueAt),
    json(timers.map((t) => t.data)),
    newTimers.map((t) => t.status),
    text(endedTimers.map((t) => t.id)),
    endedTimers.map((t) => t.status),
    text(deliveries.map((d) => d.id)),
    text(deliveries.map((d) => d.automationId)),
    deliveries.map((d) => d.action),
    text(deliveries.map((d) => d.userId)),
    deliveries.map((d) => d.triggeredAt),
    json(deliveries.map((d) => d.payload)),
    deliveries.map((d) => d.createdAt),
    notify.channel,
    notify.payload,
    checkpoint?.projection ?? null,
    checkpoint?.position ?? null,
  ]);
  return rows[0]?.enqueued ?? 0;
};
