import type pg from 'pg';
import { DAY_MS } from '../../../domain/stage/stage.ts';
import { isZeroDelta, type StageDelta } from '../../../domain/stage/stageChanges.ts';

const MINUTE_MS = 60_000;

/** the three prefix-sum tables and the key each is summed by (see migration 002) */
const SUM_TABLES = [
  { table: 'journey.stage_instants', key: 'at', width: 1, type: 'bigint' },
  { table: 'journey.stage_minutes', key: 'minute', width: MINUTE_MS, type: 'bigint' },
  { table: 'journey.stage_days', key: 'day', width: DAY_MS, type: 'integer' },
] as const;

const ZERO = 'signed_up = 0 AND activated = 0 AND active = 0 AND inactive = 0';

const upsertSql = SUM_TABLES.map(({ table, key, type }, i) => {
  const p = i * 5;
  return `INSERT INTO ${table} AS s (${key}, signed_up, activated, active, inactive)
    SELECT * FROM unnest($${p + 1}::${type}[], $${p + 2}::int[], $${p + 3}::int[], $${p + 4}::int[], $${p + 5}::int[])
    ON CONFLICT (${key}) DO UPDATE SET signed_up = s.signed_up + excluded.signed_up,
      activated = s.activated + excluded.activated, active = s.active + excluded.active,
      inactive = s.inactive + excluded.inactive`;
});
// one statement each for the three tables: the sums are one round trip, the zeros another
const ADD_SQL = `WITH i AS (${upsertSql[0]}), m AS (${upsertSql[1]}) ${upsertSql[2]}`;
const deleteSql = SUM_TABLES.map(
  ({ table, key, type }, i) => `DELETE FROM ${table} WHERE ${key} = ANY($${i + 1}::${type}[]) AND ${ZERO}`,
);
const REMOVE_ZEROS_SQL = `WITH i AS (${deleteSql[0]}), m AS (${deleteSql[1]}) ${deleteSql[2]}`;

/** per-instant deltas summed per key of width `width` ms, zero sums left out, as unnest columns */
const columnsOf = (deltas: ReadonlyMap<number, StageDelta>, width: number): number[][] => {
  const sums = new Map<number, StageDelta>();
  for (const [at, delta] of deltas) {
    const k = Math.floor(at / width);
    const sum = sums.get(k);
    if (sum === undefined) sums.set(k, [...delta]);
    else for (let i = 0; i < 4; i++) sum[i] = (sum[i] ?? 0) + (delta[i] ?? 0);
  }
  const columns: number[][] = [[], [], [], [], []];
  for (const [k, d] of sums) {
    if (isZeroDelta(d)) continue;
    columns[0]?.push(k);
    for (let i = 0; i < 4; i++) columns[i + 1]?.push(d[i] ?? 0);
  }
  return columns;
};

/**
 * Adds per-instant deltas to the instants, minutes and days, and deletes the rows that reach
 * zero (as SQLite does, so a rebuild holds the same rows); in the caller's transaction.
 */
export const addStageDeltas = async (client: pg.ClientBase, deltas: ReadonlyMap<number, StageDelta>): Promise<void> => {
  if (deltas.size === 0) return;
  const columns = SUM_TABLES.map(({ width }) => columnsOf(deltas, width));
  if (columns.every((c) => c[0]?.length === 0)) return;
  await client.query(ADD_SQL, columns.flat());
  await client.query(
    REMOVE_ZEROS_SQL,
    columns.map((c) => c[0]),
  );
};

/**
 * The window the deltas are kept for and their sum at or before `asOf` (epoch ms), in one
 * statement so both come from the same snapshot: whole days, then minutes, then instants.
 */
export const STAGE_SUM_SQL = `SELECT (SELECT window_days FROM journey.stage_window WHERE id = 1) AS window_days,
  coalesce(sum(signed_up), 0)::int AS signed_up, coalesce(sum(activated), 0)::int AS activated,
  coalesce(sum(active), 0)::int AS active, coalesce(sum(inactive), 0)::int AS inactive FROM (
   SELECT signed_up, activated, active, inactive FROM journey.stage_days WHERE day < $1
   UNION ALL
   SELECT signed_up, activated, active, inactive FROM journey.stage_minutes WHERE minute >= $2 AND minute < $3
   UNION ALL
   SELECT signed_up, activated, active, inactive FROM journey.stage_instants WHERE at >= $4 AND at <= $5) sums`;

export type StageSumRow = {
  window_days: number | null;
  signed_up: number;
  activated: number;
  active: number;
  inactive: number;
};

/** STAGE_SUM_SQL's parameters for `asOf` (epoch ms) */
export const stageSumParams = (asOf: number): number[] => {
  const day = Math.floor(asOf / DAY_MS);
  const minute = Math.floor(asOf / MINUTE_MS);
  return [day, (day * DAY_MS) / MINUTE_MS, minute, minute * MINUTE_MS, asOf];
};
