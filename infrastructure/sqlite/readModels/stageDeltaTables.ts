import { DAY_MS } from '../../../domain/stage/stage.ts';
import {
  checkWindowDays,
  DEFAULT_WINDOW_DAYS,
  isZeroDelta,
  type StageDelta,
} from '../../../domain/stage/stageChanges.ts';
import {
  NO_STAGE_HISTORY,
  type StageDeltas,
  stageChangesProjection,
} from '../../../projections/stageChanges/stageChangesProjection.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import type { ReadModelTableNames } from './readModelTables.ts';

const MINUTE_MS = 60_000;

/**
 * The stage-change projection's deltas as prefix sums per instant, minute and UTC day (zero
 * rows deleted, so a rebuild hashes equal): the counts as of T are three index ranges,
 * whatever the user count. `stage_window` holds the W they were decided for.
 */
export const stageDeltaTablesSql = (t: ReadModelTableNames): string => `
CREATE TABLE IF NOT EXISTS ${t.stageDays} (
  day INTEGER PRIMARY KEY, signed_up INTEGER NOT NULL, activated INTEGER NOT NULL,
  active INTEGER NOT NULL, inactive INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.stageMinutes} (
  minute INTEGER PRIMARY KEY, signed_up INTEGER NOT NULL, activated INTEGER NOT NULL,
  active INTEGER NOT NULL, inactive INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.stageInstants} (
  at INTEGER PRIMARY KEY, signed_up INTEGER NOT NULL, activated INTEGER NOT NULL,
  active INTEGER NOT NULL, inactive INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.stageWindow} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  window_days INTEGER NOT NULL
);`;

type SumRow = { signed_up: number; activated: number; active: number; inactive: number };

const add = (into: StageDelta, delta: readonly number[]): void => {
  for (let i = 0; i < 4; i++) into[i] = (into[i] ?? 0) + (delta[i] ?? 0);
};

/** rows per statement: a batch moves thousands of instants, and one statement per row cost more than SQLite's own work */
const CHUNKS = [100, 10, 1] as const;

/**
 * Adds per-key deltas to one sums table and deletes the rows that reach zero, up to 100
 * rows per statement (every active user's "inactive from last activity + W" moves with each
 * batch, so a batch moves thousands of instants).
 */
const prepareAdder = (db: SqliteDatabase, table: string, key: string) => {
  const statements = CHUNKS.map((n) => ({
    n,
    upsert: db.prepare<number[]>(
      `INSERT INTO ${table} (${key}, signed_up, activated, active, inactive)
       VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (${key}) DO UPDATE SET signed_up = signed_up + excluded.signed_up,
        activated = activated + excluded.activated, active = active + excluded.active,
        inactive = inactive + excluded.inactive`,
    ),
    removeZeros: db.prepare<number[]>(
      `DELETE FROM ${table} WHERE ${key} IN (${Array(n).fill('?').join(', ')})
        AND signed_up = 0 AND activated = 0 AND active = 0 AND inactive = 0`,
    ),
  }));
  return (sums: ReadonlyMap<number, StageDelta>): void => {
    const rows: [number, StageDelta][] = [];
    for (const [k, d] of sums) if (!isZeroDelta(d)) rows.push([k, d]);
    let i = 0;
    for (const { n, upsert, removeZeros } of statements) {
      for (; i + n <= rows.length; i += n) {
        const values: number[] = [];
        const keys: number[] = [];
        for (let j = i; j < i + n; j++) {
          const [k, d] = rows[j] as [number, StageDelta];
          values.push(k, d[0], d[1], d[2], d[3]);
          keys.push(k);
        }
        upsert.run(...values);
        removeZeros.run(...keys);
      }
    }
  };
};

const sumsBy = (deltas: ReadonlyMap<number, StageDelta>, width: number): Map<number, StageDelta> => {
  const sums = new Map<number, StageDelta>();
  for (const [at, delta] of deltas) {
    const k = Math.floor(at / width);
    const sum = sums.get(k);
    if (sum === undefined) sums.set(k, [...delta]);
    else add(sum, delta);
  }
  return sums;
};

export const prepareStageDeltaStatements = (db: SqliteDatabase, t: ReadModelTableNames) => {
  const addDays = prepareAdder(db, t.stageDays, 'day');
  const addMinutes = prepareAdder(db, t.stageMinutes, 'minute');
  const addInstants = prepareAdder(db, t.stageInstants, 'at');
  const sumAt = db.prepare<{ day: number; dayMinute: number; minute: number; minuteMs: number; asOf: number }, SumRow>(
    `SELECT coalesce(sum(signed_up), 0) AS signed_up, coalesce(sum(activated), 0) AS activated,
      coalesce(sum(active), 0) AS active, coalesce(sum(inactive), 0) AS inactive FROM (
       SELECT signed_up, activated, active, inactive FROM ${t.stageDays} WHERE day < @day
       UNION ALL
       SELECT signed_up, activated, active, inactive FROM ${t.stageMinutes} WHERE minute >= @dayMinute AND minute < @minute
       UNION ALL
       SELECT signed_up, activated, active, inactive FROM ${t.stageInstants} WHERE at >= @minuteMs AND at <= @asOf)`,
  );
  const window = db.prepare<[], { window_days: number }>(`SELECT window_days FROM ${t.stageWindow} WHERE id = 1`);
  const setWindow = db.prepare<[number]>(
    `INSERT INTO ${t.stageWindow} (id, window_days) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET window_days = excluded.window_days`,
  );
  const histories = db.prepare<
    [],
    { user_id: string; signed_up_at: string; first_at: string | null; last_at: string | null }
  >(
    `SELECT u.user_id, u.signed_up_at, a.first_at, a.last_at
     FROM ${t.users} u LEFT JOIN ${t.activityDays} a ON a.user_id = u.user_id
     WHERE u.signed_up_at IS NOT NULL ORDER BY u.user_id`,
  );

  /** adds per-instant deltas to the instants, minutes and days; in the caller's transaction */
  const addDeltas = (deltas: ReadonlyMap<number, StageDelta>): void => {
    addInstants(deltas);
    addMinutes(sumsBy(deltas, MINUTE_MS));
    addDays(sumsBy(deltas, DAY_MS));
  };

  return {
    addDeltas,
    windowDays: (): number | undefined => window.get()?.window_days,
    /** the sum of every delta at or before `asOf` (epoch ms), in `stages` order; in the caller's read transaction */
    sumAt: (asOf: number): StageDelta => {
      const day = Math.floor(asOf / DAY_MS);
      const minute = Math.floor(asOf / MINUTE_MS);
      const row = sumAt.get({ day, dayMinute: (day * DAY_MS) / MINUTE_MS, minute, minuteMs: minute * MINUTE_MS, asOf });
      return row ? [row.signed_up, row.activated, row.active, row.inactive] : [0, 0, 0, 0];
    },
    /**
     * Has the stage-change projection derive every delta again for window `windowDays`, from
     * each signed-up user's whole history, and records it; in the caller's write transaction.
     */
    rederive: (windowDays: number): void => {
      db.exec(`DELETE FROM ${t.stageDays}; DELETE FROM ${t.stageMinutes}; DELETE FROM ${t.stageInstants};`);
      const stageChanges = stageChangesProjection(windowDays);
      const deltas: StageDeltas = new Map();
      let userId: string | undefined;
      let history: { signedUpAt: number; days: { firstAt: number; lastAt: number }[] } | undefined;
      const addUser = () => {
        if (history) stageChanges.apply(deltas, { before: NO_STAGE_HISTORY, after: history });
      };
      for (const row of histories.iterate()) {
        if (row.user_id !== userId) {
          addUser();
          userId = row.user_id;
          history = { signedUpAt: Date.parse(row.signed_up_at), days: [] };
        }
        if (row.first_at !== null && row.last_at !== null) {
          history?.days.push({ firstAt: Date.parse(row.first_at), lastAt: Date.parse(row.last_at) });
        }
      }
      addUser();
      addDeltas(deltas);
      setWindow.run(windowDays);
    },
  };
};

export type StageDeltaStatements = ReturnType<typeof prepareStageDeltaStatements>;

/**
 * Keeps the deltas for window `wanted` (unset: whatever W the file has, 15 for a new file):
 * when the file has none yet or keeps another W, derives them all again in one write transaction.
 */
export const ensureStageWindow = (
  db: SqliteDatabase,
  stages: StageDeltaStatements,
  wanted: number | undefined,
): void => {
  if (wanted !== undefined) checkWindowDays(wanted);
  const stale = () => {
    const stored = stages.windowDays();
    return stored === undefined || (wanted !== undefined && stored !== wanted);
  };
  if (!stale()) return;
  db.transaction(() => {
    if (stale()) stages.rederive(wanted ?? stages.windowDays() ?? DEFAULT_WINDOW_DAYS);
  }).immediate();
};
