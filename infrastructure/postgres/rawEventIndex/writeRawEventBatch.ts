import type pg from 'pg';
import type { RawEventBatch } from '../../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';
import { jsonWithoutNul, withoutNul } from '../readModels/withoutNul.ts';

/**
 * One batch in one statement, as SQLite's loop of single-row writes leaves it. Links first
 * (the first link of an anonymous id wins; its unlinked rows get the user), then each input row
 * (an outcome, else a stored event) is inserted when new, or given its outcome when that changed;
 * a stored event that exists changes nothing. Every row written gets the next version, in
 * input order, and, when any was, a notification (delivered at commit) tells the followers in
 * other processes. Data-modifying CTEs share one snapshot, so the links this statement adds are
 * read from `added_links`, and the caller holds the writers' turn lock so that snapshot is
 * current and versions commit in order.
 */
const WRITE_SQL = `
WITH head AS (
  SELECT version FROM journey.raw_event_index_meta WHERE id = 1
),
added_links AS (
  INSERT INTO journey.raw_event_links (anonymous_id, user_id)
  SELECT * FROM unnest($1::text[], $2::text[])
  ON CONFLICT (anonymous_id) DO NOTHING
  RETURNING anonymous_id, user_id
),
input AS (
  SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::json[], $15::boolean[])
    WITH ORDINALITY AS i(message_id, received_at, occurred_at, type, event, user_id, anonymous_id,
      mapped_to, status, journey_events, reason, payload, outcome, ord)
),
existing AS (
  SELECT r.message_id, r.anonymous_id, r.user_key, r.status, r.journey_events, r.reason
  FROM journey.raw_event_index r JOIN input i ON i.message_id = r.message_id
  UNION
  SELECT r.message_id, r.anonymous_id, r.user_key, r.status, r.journey_events, r.reason
  FROM journey.raw_event_index r JOIN added_links l ON l.anonymous_id = r.anonymous_id
  WHERE r.user_key IS NULL
),
changed AS (
  SELECT e.message_id,
    COALESCE(e.user_key, l.user_id) AS user_key,
    CASE WHEN i.outcome THEN i.status ELSE e.status END AS status,
    CASE WHEN i.outcome THEN i.journey_events ELSE e.journey_events END AS journey_events,
    CASE WHEN i.outcome THEN i.reason ELSE e.reason END AS reason,
    COALESCE(i.ord, 0) AS ord
  FROM existing e
  LEFT JOIN input i ON i.message_id = e.message_id
  LEFT JOIN added_links l ON l.anonymous_id = e.anonymous_id AND e.user_key IS NULL
  WHERE l.user_id IS NOT NULL
    OR (i.outcome AND (i.status <> e.status OR i.journey_events <> e.journey_events OR i.reason IS DISTINCT FROM e.reason))
),
fresh AS (
  SELECT i.*, COALESCE(i.user_id, i.mapped_to,
      (SELECT k.user_id FROM journey.raw_event_links k WHERE k.anonymous_id = i.anonymous_id),
      (SELECT a.user_id FROM added_links a WHERE a.anonymous_id = i.anonymous_id)) AS user_key
  FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM journey.raw_event_index r WHERE r.message_id = i.message_id)
),
numbered AS (
  SELECT c.message_id, (SELECT version FROM head) + row_number() OVER (ORDER BY c.ord, c.message_id) AS version
  FROM (SELECT message_id, ord FROM changed UNION ALL SELECT message_id, ord FROM fresh) c
),
inserted AS (
  INSERT INTO journey.raw_event_index (message_id, received_at, occurred_at, type, event, user_id, anonymous_id,
    user_key, status, journey_events, reason, payload, version)
  SELECT f.message_id, f.received_at, f.occurred_at, f.type, f.event, f.user_id, f.anonymous_id,
    f.user_key, f.status, f.journey_events, f.reason, f.payload, n.version
  FROM fresh f JOIN numbered n ON n.message_id = f.message_id
  ON CONFLICT (message_id) DO NOTHING
),
updated AS (
  UPDATE journey.raw_event_index r
  SET user_key = c.user_key, status = c.status, journey_events = c.journey_events, reason = c.reason, version = n.version
  FROM changed c JOIN numbered n ON n.message_id = c.message_id
  WHERE r.message_id = c.message_id
)
UPDATE journey.raw_event_index_meta SET version = version + (SELECT count(*) FROM numbered) WHERE id = 1
RETURNING (SELECT count(*) FROM numbered)::int AS written,
  (SELECT count(*) FROM (SELECT pg_notify($16, $17) FROM numbered LIMIT 1) n)::int AS notified`;

type InputRow = {
  readonly raw: IngestedEvent;
  /** who the mapper mapped it to: the row's user when the event names none */
  readonly mappedTo: string | undefined;
  readonly status: string;
  readonly journeyEvents: string;
  readonly reason: string | null;
  readonly outcome: boolean;
};

/**
 * One input row per message id (a statement may write a row once): an id's first outcome says
 * what it is inserted as, its last one the outcome it ends with, as SQLite's insert then update
 * leaves it; a stored event with an outcome in the batch is that row already.
 */
const inputRowsOf = (batch: RawEventBatch): InputRow[] => {
  const rows = new Map<string, InputRow>();
  for (const outcome of batch.outcomes ?? []) {
    const id = withoutNul(outcome.event.messageId);
    const first = rows.get(id);
    rows.set(id, {
      raw: first?.raw ?? outcome.event,
      mappedTo: first === undefined ? outcome.userId : first.mappedTo,
      status: outcome.status,
      journeyEvents: jsonWithoutNul(JSON.stringify(outcome.journeyEvents)),
      reason: outcome.reason === undefined ? null : withoutNul(outcome.reason),
      outcome: true,
    });
  }
  for (const raw of batch.stored ?? []) {
    const id = withoutNul(raw.messageId);
    if (!rows.has(id))
      rows.set(id, { raw, mappedTo: undefined, status: 'pending', journeyEvents: '[]', reason: null, outcome: false });
  }
  return [...rows.values()];
};

const text = (value: string | undefined): string | null => (value === undefined ? null : withoutNul(value));

/**
 * Writes `batch` in the caller's transaction, which holds the raw-event writers' turn lock; how
 * many rows it wrote. `news`: the channel and payload of the notification.
 */
export const writeRawEventBatch = async (
  client: pg.ClientBase,
  batch: RawEventBatch,
  news: { readonly channel: string; readonly payload: string },
): Promise<number> => {
  const links = new Map<string, string>();
  for (const link of batch.links ?? []) {
    const anonymousId = withoutNul(link.anonymousId);
    if (!links.has(anonymousId)) links.set(anonymousId, withoutNul(link.userId));
  }
  const rows = inputRowsOf(batch);
  if (links.size + rows.length === 0) return 0;
  const { rows: written } = await client.query<{ written: number }>(WRITE_SQL, [
    [...links.keys()],
    [...links.values()],
    rows.map((r) => withoutNul(r.raw.messageId)),
    rows.map((r) => withoutNul(r.raw.receivedAt)),
    rows.map((r) => withoutNul(r.raw.timestamp)),
    rows.map((r) => withoutNul(r.raw.type)),
    rows.map((r) => (r.raw.type === 'track' ? text(r.raw.event) : null)),
    rows.map((r) => text(r.raw.userId)),
    rows.map((r) => text(r.raw.anonymousId)),
    rows.map((r) => text(r.mappedTo)),
    rows.map((r) => r.status),
    rows.map((r) => r.journeyEvents),
    rows.map((r) => r.reason),
    rows.map((r) => jsonWithoutNul(JSON.stringify(r.raw))),
    rows.map((r) => r.outcome),
    news.channel,
    news.payload,
  ]);
  return written[0]?.written ?? 0;
};
