import type pg from 'pg';
import { type Position, positionFromString } from '../../../application/ports/eventStore/eventStore.ts';

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
