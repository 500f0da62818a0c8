import type pg from 'pg';
import { checkWindowDays } from '../../../domain/stage/stageChanges.ts';
import {
  NO_STAGE_HISTORY,
  type StageDeltas,
  stageChangesProjection,
} from '../../../projections/stageChanges/stageChangesProjection.ts';
import { addStageDeltas } from './stageDeltaSums.ts';

type HistoryRow = { user_id: string; signed_up_at: string; first_at: string | null; last_at: string | null };

/** epoch ms as text: no Date per row for a pass over every user */
const EPOCH_MS = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint::text`;

/**
 * Has the stage-change projection derive every delta again for window `windowDays` from each
 * signed-up user's whole history, and records the window; in the caller's transaction, which
 * holds stage_window locked so that no batch adds deltas meanwhile.
 */
const rederive = async (client: pg.ClientBase, windowDays: number): Promise<void> => {
  await client.query(
    'DELETE FROM journey.stage_instants; DELETE FROM journey.stage_minutes; DELETE FROM journey.stage_days',
  );
  const { rows } = await client.query<HistoryRow>(
    `SELECT u.user_id, ${EPOCH_MS('u.signed_up_at')} AS signed_up_at,
      ${EPOCH_MS('a.first_at')} AS first_at, ${EPOCH_MS('a.last_at')} AS last_at
     FROM journey.users u LEFT JOIN journey.activity_days a ON a.user_id = u.user_id
     WHERE u.signed_up_at IS NOT NULL ORDER BY u.user_id`,
  );
  const stageChanges = stageChangesProjection(windowDays);
  const deltas: StageDeltas = new Map();
  let userId: string | undefined;
  let history: { signedUpAt: number; days: { firstAt: number; lastAt: number }[] } | undefined;
  const addUser = () => {
    if (history) stageChanges.apply(deltas, { before: NO_STAGE_HISTORY, after: history });
  };
  for (const row of rows) {
    if (row.user_id !== userId) {
      addUser();
      userId = row.user_id;
      history = { signedUpAt: Number(row.signed_up_at), days: [] };
    }
    if (row.first_at !== null && row.last_at !== null)
      history?.days.push({ firstAt: Number(row.first_at), lastAt: Number(row.last_at) });
  }
  addUser();
  await addStageDeltas(client, deltas);
  await client.query(
    `INSERT INTO journey.stage_window (id, window_days) VALUES (1, $1)
     ON CONFLICT (id) DO UPDATE SET window_days = excluded.window_days`,
    [windowDays],
  );
};

/**
 * Keeps the deltas for window `wanted` (unset: whatever W the database keeps): when it keeps
 * another, derives them all again in one transaction, with stage_window locked against
 * batches and other processes opening at the same time.
 */
export const ensureStageWindow = async (pool: pg.Pool, wanted: number | undefined): Promise<void> => {
  if (wanted === undefined) return;
  checkWindowDays(wanted);
  const kept = await pool.query<{ window_days: number }>('SELECT window_days FROM journey.stage_window WHERE id = 1');
  if (kept.rows[0]?.window_days === wanted) return;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE journey.stage_window IN EXCLUSIVE MODE');
    const { rows } = await client.query<{ window_days: number }>(
      'SELECT window_days FROM journey.stage_window WHERE id = 1',
    );
    if (rows[0]?.window_days !== wanted) await rederive(client, wanted);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};
