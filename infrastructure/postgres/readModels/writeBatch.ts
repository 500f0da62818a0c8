import type pg from 'pg';
import type { UserProfile } from '../../../application/ports/readModels/readModels.ts';
import { type StageDeltas, stageChangesProjection } from '../../../projections/stageChanges/stageChangesProjection.ts';
import type { ActiveDay, PostgresBatchWriter } from './postgresBatchWriter.ts';
import { USER_COLUMNS } from './readModelRows.ts';
import { addStageDeltas } from './stageDeltaSums.ts';
import { NO_HISTORY, type Span, type StoredHistories } from './storedHistories.ts';
import { withoutNul } from './withoutNul.ts';

const upsertUsersSql = (schema: string): string => `INSERT INTO ${schema}.users (${USER_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[],
    $7::timestamptz[], $8::int[], $9::text[])
  ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name,
    signed_up_at = excluded.signed_up_at, first_seen_at = excluded.first_seen_at,
    last_seen_at = excluded.last_seen_at, last_activity_at = excluded.last_activity_at,
    event_count = excluded.event_count, last_event_type = excluded.last_event_type`;
const upsertDaysSql = (
  schema: string,
): string => `INSERT INTO ${schema}.activity_days AS a (user_id, day, first_at, last_at)
  SELECT * FROM unnest($1::text[], $2::date[], $3::timestamptz[], $4::timestamptz[])
  ON CONFLICT (user_id, day) DO UPDATE SET first_at = least(a.first_at, excluded.first_at),
    last_at = greatest(a.last_at, excluded.last_at)`;

const upsertUsers = async (client: pg.ClientBase, profiles: Iterable<UserProfile>, schema: string): Promise<void> => {
  const columns: (string | number | null)[][] = [[], [], [], [], [], [], [], [], []];
  for (const p of profiles) {
    const values = [p.userId, p.email, p.name, p.signedUpAt, p.firstSeenAt, p.lastSeenAt, p.lastActivityAt];
    for (const [i, v] of values.entries()) columns[i]?.push(v === undefined ? null : withoutNul(v));
    columns[7]?.push(p.eventCount);
    columns[8]?.push(withoutNul(p.lastEventType));
  }
  if (columns[0]?.length) await client.query(upsertUsersSql(schema), columns);
};

const upsertDays = async (client: pg.ClientBase, days: readonly ActiveDay[], schema: string): Promise<void> => {
  if (days.length === 0) return;
  await client.query(upsertDaysSql(schema), [
    days.map((d) => withoutNul(d.userId)),
    days.map((d) => d.day),
    days.map((d) => d.first),
    days.map((d) => d.last),
  ]);
};

/**
 * The users whose stored history the batch needs: new activity days, or a sign-up other than
 * the stored one. A user known to have no sign-up before or after is left out (their days are
 * merged by the upsert, unread), unless the histories are a copy in memory, which must follow.
 */
const usersToRead = (
  writer: PostgresBatchWriter,
  stored: ReadonlyMap<string, UserProfile | null>,
  daysByUser: ReadonlyMap<string, ActiveDay[]>,
  histories: StoredHistories,
): string[] =>
  [...new Set([...writer.profiles.keys(), ...daysByUser.keys()])].filter((userId) => {
    if (histories.complete) return true;
    const known = stored.get(userId);
    if (known === undefined) return true;
    const before = known?.signedUpAt ?? null;
    const put = writer.profiles.get(userId);
    const after = put === undefined ? before : (put.signedUpAt ?? null);
    if (before === null && after === null) return false;
    return daysByUser.has(userId) || before !== after;
  });

/** what a batch decided for the users tables, written by `writeDecided` (now, or at a bulk load's commit) */
export type Decided = {
  readonly profiles: ReadonlyMap<string, UserProfile>;
  readonly days: readonly ActiveDay[];
  readonly deltas: StageDeltas;
};

/**
 * Locks the stage_window row until the transaction ends, so that batches decide stage deltas
 * one at a time, and answers the window W they are kept for (undefined: none kept).
 */
export const lockStageWindow = async (client: pg.ClientBase, schema = 'journey'): Promise<number | undefined> => {
  const { rows } = await client.query<{ window_days: number }>(
    `SELECT window_days FROM ${schema}.stage_window WHERE id = 1 FOR UPDATE`,
  );
  return rows[0]?.window_days;
};

/**
 * Decides a batch's users-table writes: profiles, new activity days, and the stage deltas the
 * stage-change projection decides for each user whose history changed (`lockWindow` is called
 * first when there is one); in the caller's transaction.
 */
export const decideBatch = async (
  client: pg.ClientBase,
  writer: PostgresBatchWriter,
  stored: ReadonlyMap<string, UserProfile | null>,
  histories: StoredHistories,
  lockWindow: () => Promise<number | undefined>,
): Promise<Decided> => {
  const daysByUser = new Map<string, ActiveDay[]>();
  for (const d of writer.days.values()) {
    const list = daysByUser.get(d.userId);
    if (list === undefined) daysByUser.set(d.userId, [d]);
    else list.push(d);
  }
  const read = usersToRead(writer, stored, daysByUser, histories);
  const deltas: StageDeltas = new Map();
  const readSet = new Set(read);
  const days: ActiveDay[] = [];
  for (const [userId, added] of daysByUser) if (!readSet.has(userId)) days.push(...added);
  if (read.length === 0) return { profiles: writer.profiles, days, deltas };
  const windowDays = await lockWindow();
  const stageChanges = windowDays === undefined ? undefined : stageChangesProjection(windowDays);
  const before = await histories.read(client, read);
  for (const userId of read) {
    const { signedUpAt, days: storedDays } = before.get(userId) ?? NO_HISTORY;
    const put = writer.profiles.get(userId);
    const after = put === undefined ? signedUpAt : (put.signedUpAt ?? null);
    const merged = new Map(storedDays);
    let daysChanged = false;
    for (const d of daysByUser.get(userId) ?? []) {
      const known = merged.get(d.day);
      if (known !== undefined && known.first <= d.first && known.last >= d.last) continue;
      merged.set(d.day, {
        first: known === undefined || d.first < known.first ? d.first : known.first,
        last: known === undefined || d.last > known.last ? d.last : known.last,
      });
      days.push(d);
      daysChanged = true;
    }
    histories.wrote(userId, put, merged);
    if (stageChanges === undefined || (signedUpAt === null && after === null)) continue;
    if (!daysChanged && signedUpAt === after) continue;
    stageChanges.apply(deltas, {
      before: { signedUpAt: instantOf(signedUpAt), days: spansOf(storedDays) },
      after: { signedUpAt: instantOf(after), days: spansOf(merged) },
    });
  }
  return { profiles: writer.profiles, days, deltas };
};

export const writeDecided = async (client: pg.ClientBase, decided: Decided, schema = 'journey'): Promise<void> => {
  await upsertUsers(client, decided.profiles.values(), schema);
  await upsertDays(client, decided.days, schema);
  await addStageDeltas(client, decided.deltas, schema);
};

const instantOf = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

const spansOf = (days: ReadonlyMap<string, Span>) =>
  [...days.values()].map((d) => ({ firstAt: Date.parse(d.first), lastAt: Date.parse(d.last) }));
