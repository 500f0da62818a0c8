import type pg from 'pg';
import { DAY_MS } from '../../../domain/stage/stage.ts';
import { isZeroDelta, type StageDelta } from '../../../domain/stage/stageChanges.ts';

const MINUTE_MS = 60_000;

/** the three prefix-sum tables and the key each is summed by (see migration 002) */
const SUM_TABLES = [
  { table: 'stage_instants', key: 'at', width: 1, type: 'bigint' },
  { table: 'stage_minutes', key: 'minute', width: MINUTE_MS, type: 'bigint' },
  { table: 'stage_days', key: 'day', width: DAY_MS, type: 'integer' },
] as const;

const ZERO = 'signed_up = 0 AND activated = 0 AND active = 0 AND inactive = 0';

const upsertSql = (schema: string) =>
  SUM_TABLES.map(({ table, key, type }, i) => {
    const p = i * 5;
    return `INSERT INTO ${schema}.${table} AS s (${key}, signed_up, activated, active, inactive)
    SELECT * FROM unnest($${p + 1}::${type}[], $${p + 2}::int[], $${p + 3}::int[], $${p + 4}::int[], $${p + 5}::int[])
    ON CONFLICT (${key}) DO UPDATE SET signed_up = s.signed_up + excluded.signed_up,
      activated = s.activated + excluded.activated, active = s.active + excluded.active,
      inactive = s.inactive + excluded.inactive`;
  });
const deleteSql = (schema: string) =>
  SUM_TABLES.map(
    ({ table, key, type }, i) => `DELETE FROM ${schema}.${table} WHERE ${key} = ANY($${i + 1}::${type}[]) AND ${ZERO}`,
  );
// one statement each for the three tables: the sums are one round trip, the zeros another
const sqlBySchema = new Map<string, { readonly add: string; readonly removeZeros: string }>();
const sqlFor = (schema: string) => {
  let sql = sqlBySchema.get(schema);
  if (sql === undefined) {
    const [ui, um, ud] = upsertSql(schema);
    const [di, dm, dd] = deleteSql(schema);
    sql = { add: `WITH i AS (${ui}), m AS (${um}) ${ud}`, removeZeros: `WITH i AS (${di}), m AS (${dm}) ${dd}` };
    sqlBySchema.set(schema, sql);
  }
  return sql;
};

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
export const addStageDeltas = async (
  client: pg.ClientBase,
  deltas: ReadonlyMap<number, StageDelta>,
  schema = 'journey',
): Promise<void> => {
  if (deltas.size === 0) return;
  const columns = SUM_TABLES.map(({ width }) => columnsOf(deltas, width));
  if (columns.every((c) => c[0]?.length === 0)) return;
  const sql = sqlFor(schema);
  await client.query(sql.add, columns.flat());
  await client.query(
    sql.removeZeros,
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
