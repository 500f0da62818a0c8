import type pg from 'pg';
import type { UserProfile } from '../../../application/ports/readModels/readModels.ts';
import { type StageDeltas, stageChangesProjection } from '../../../projections/stageChanges/stageChangesProjection.ts';
import type { ActiveDay, PostgresBatchWriter, TimelineColumns } from './postgresBatchWriter.ts';
import { TIMELINE_COLUMNS, USER_COLUMNS } from './readModelRows.ts';
import { addStageDeltas } from './stageDeltaSums.ts';

/** a timestamptz as `toISOString` text, made by the server: compared with the batch's own instants */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const INSERT_TIMELINE = `INSERT INTO journey.timeline (${TIMELINE_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::jsonb[])
  ON CONFLICT (event_id) DO NOTHING`;
const UPSERT_USERS = `INSERT INTO journey.users (${USER_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[],
    $7::timestamptz[], $8::int[], $9::text[])
  ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name,
    signed_up_at = excluded.signed_up_at, first_seen_at = excluded.first_seen_at,
    last_seen_at = excluded.last_seen_at, last_activity_at = excluded.last_activity_at,
    event_count = excluded.event_count, last_event_type = excluded.last_event_type`;
const UPSERT_DAYS = `INSERT INTO journey.activity_days AS a (user_id, day, first_at, last_at)
  SELECT * FROM unnest($1::text[], $2::date[], $3::timestamptz[], $4::timestamptz[])
  ON CONFLICT (user_id, day) DO UPDATE SET first_at = least(a.first_at, excluded.first_at),
    last_at = greatest(a.last_at, excluded.last_at)`;
const STORED_HISTORIES = `SELECT ids.user_id, ${iso('u.signed_up_at')} AS signed_up_at,
    to_char(a.day, 'YYYY-MM-DD') AS day, ${iso('a.first_at')} AS first_at, ${iso('a.last_at')} AS last_at
  FROM unnest($1::text[]) AS ids(user_id)
  LEFT JOIN journey.users u ON u.user_id = ids.user_id
  LEFT JOIN journey.activity_days a ON a.user_id = ids.user_id`;

type HistoryRow = {
  user_id: string;
  signed_up_at: string | null;
  day: string | null;
  first_at: string | null;
  last_at: string | null;
};
type Span = { first: string; last: string };

export const insertTimeline = async (client: pg.ClientBase, t: TimelineColumns): Promise<void> => {
  if (t.eventIds.length === 0) return;
  await client.query(INSERT_TIMELINE, [
    t.userIds,
    t.occurredAts,
    t.eventIds,
    t.types,
    t.data,
    t.ruleIds,
    t.sourceMessageIds,
  ]);
};

const upsertUsers = async (client: pg.ClientBase, profiles: Iterable<UserProfile>): Promise<void> => {
  const columns: (string | number | null)[][] = [[], [], [], [], [], [], [], [], []];
  for (const p of profiles) {
    const values = [p.userId, p.email, p.name, p.signedUpAt, p.firstSeenAt, p.lastSeenAt, p.lastActivityAt];
    for (const [i, v] of values.entries()) columns[i]?.push(v ?? null);
    columns[7]?.push(p.eventCount);
    columns[8]?.push(p.lastEventType);
  }
  if (columns[0]?.length) await client.query(UPSERT_USERS, columns);
};

const upsertDays = async (client: pg.ClientBase, days: readonly ActiveDay[]): Promise<void> => {
  if (days.length === 0) return;
  await client.query(UPSERT_DAYS, [
    days.map((d) => d.userId),
    days.map((d) => d.day),
    days.map((d) => d.first),
    days.map((d) => d.last),
  ]);
};

/**
 * The users whose stage history the batch may have changed: new activity days, or a sign-up
 * other than the stored one. A user known to have no sign-up before or after is left out:
 * their days are merged by the upsert, with no read.
 */
const usersToTrack = (
  writer: PostgresBatchWriter,
  stored: ReadonlyMap<string, UserProfile | null>,
  daysByUser: ReadonlyMap<string, ActiveDay[]>,
): string[] =>
  [...new Set([...writer.profiles.keys(), ...daysByUser.keys()])].filter((userId) => {
    const known = stored.get(userId);
    if (known === undefined) return true;
    const before = known?.signedUpAt ?? null;
    const put = writer.profiles.get(userId);
    const after = put === undefined ? before : (put.signedUpAt ?? null);
    if (before === null && after === null) return false;
    return daysByUser.has(userId) || before !== after;
  });

/**
 * Writes one batch the projection applied: timeline, profiles, activity days, and the stage
 * deltas the stage-change projection decides for each user whose history changed (their
 * stored history read in one query, under the stage_window row lock so batches add deltas
 * one at a time); in the caller's transaction.
 */
export const writeBatch = async (
  client: pg.ClientBase,
  writer: PostgresBatchWriter,
  stored: ReadonlyMap<string, UserProfile | null>,
): Promise<void> => {
  await insertTimeline(client, writer.timeline);
  const daysByUser = new Map<string, ActiveDay[]>();
  for (const d of writer.days.values()) {
    const list = daysByUser.get(d.userId);
    if (list === undefined) daysByUser.set(d.userId, [d]);
    else list.push(d);
  }
  const tracked = usersToTrack(writer, stored, daysByUser);
  const deltas: StageDeltas = new Map();
  const daysToWrite: ActiveDay[] = [];
  const trackedSet = new Set(tracked);
  for (const [userId, days] of daysByUser) if (!trackedSet.has(userId)) daysToWrite.push(...days);
  if (tracked.length > 0) {
    const window = await client.query<{ window_days: number }>(
      'SELECT window_days FROM journey.stage_window WHERE id = 1 FOR UPDATE',
    );
    const windowDays = window.rows[0]?.window_days;
    const stageChanges = windowDays === undefined ? undefined : stageChangesProjection(windowDays);
    const histories = new Map<string, { signedUpAt: string | null; days: Map<string, Span> }>();
    for (const row of (await client.query<HistoryRow>(STORED_HISTORIES, [tracked])).rows) {
      let history = histories.get(row.user_id);
      if (history === undefined) {
        history = { signedUpAt: row.signed_up_at, days: new Map() };
        histories.set(row.user_id, history);
      }
      if (row.day !== null && row.first_at !== null && row.last_at !== null)
        history.days.set(row.day, { first: row.first_at, last: row.last_at });
    }
    for (const userId of tracked) {
      const before = histories.get(userId) ?? { signedUpAt: null, days: new Map<string, Span>() };
      const put = writer.profiles.get(userId);
      const after = put === undefined ? before.signedUpAt : (put.signedUpAt ?? null);
      const merged = new Map(before.days);
      let daysChanged = false;
      for (const d of daysByUser.get(userId) ?? []) {
        const known = merged.get(d.day);
        if (known !== undefined && known.first <= d.first && known.last >= d.last) continue;
        merged.set(d.day, {
          first: known === undefined || d.first < known.first ? d.first : known.first,
          last: known === undefined || d.last > known.last ? d.last : known.last,
        });
        daysToWrite.push(d);
        daysChanged = true;
      }
      if (stageChanges === undefined || (before.signedUpAt === null && after === null)) continue;
      if (!daysChanged && before.signedUpAt === after) continue;
      stageChanges.apply(deltas, {
        before: { signedUpAt: instantOf(before.signedUpAt), days: spansOf(before.days) },
        after: { signedUpAt: instantOf(after), days: spansOf(merged) },
      });
    }
  }
  await upsertUsers(client, writer.profiles.values());
  await upsertDays(client, daysToWrite);
  await addStageDeltas(client, deltas);
};

const instantOf = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

const spansOf = (days: ReadonlyMap<string, Span>) =>
  [...days.values()].map((d) => ({ firstAt: Date.parse(d.first), lastAt: Date.parse(d.last) }));
