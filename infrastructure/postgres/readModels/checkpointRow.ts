import type pg from 'pg';
import {
  type Position,
  positionFromString,
  positionToString,
} from '../../../application/ports/eventStore/eventStore.ts';

/** the checkpoint tables whose position may be null: a row made only to be locked */
export type CheckpointTable = 'read_model_checkpoints' | 'session_checkpoints';

/** locks the projection's checkpoint row (made if missing) and returns the position it holds */
export const lockCheckpoint = async (
  client: pg.ClientBase,
  projection: string,
  schema = 'journey',
  table: CheckpointTable = 'read_model_checkpoints',
): Promise<Position | null> => {
  const { rows } = await client.query<{ position: string | null }>(
    `INSERT INTO ${schema}.${table} AS c (projection, position) VALUES ($1, NULL)
     ON CONFLICT (projection) DO UPDATE SET position = c.position RETURNING position`,
    [projection],
  );
  const position = rows[0]?.position;
  return position == null ? null : positionFromString(position);
};

/** moves the locked checkpoint; in the transaction that locked it */
export const storeCheckpoint = async (
  client: pg.ClientBase,
  projection: string,
  to: Position,
  schema = 'journey',
  table: CheckpointTable = 'read_model_checkpoints',
): Promise<void> => {
  await client.query(`UPDATE ${schema}.${table} SET position = $2 WHERE projection = $1`, [
    projection,
    positionToString(to),
  ]);
};

export const readCheckpoint = async (
  db: pg.Pool | pg.ClientBase,
  projection: string,
  schema = 'journey',
  table: CheckpointTable = 'read_model_checkpoints',
): Promise<Position | null> => {
  const { rows } = await db.query<{ position: string | null }>(
    `SELECT position FROM ${schema}.${table} WHERE projection = $1`,
    [projection],
  );
  const position = rows[0]?.position;
  return position == null ? null : positionFromString(position);
};
