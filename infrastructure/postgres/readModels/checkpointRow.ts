import type pg from 'pg';
import { type Position, positionFromString } from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointRow } from '../writeOpening.ts';

/** the position in a projection's checkpoint row (none before its first batch) */
export const readCheckpoint = async (
  db: pg.Pool | pg.ClientBase,
  projection: string,
  schema = 'journey',
  table: CheckpointRow['table'] = 'read_model_checkpoints',
): Promise<Position | null> => {
  const { rows } = await db.query<{ position: string | null }>(
    `SELECT position FROM ${schema}.${table} WHERE projection = $1`,
    [projection],
  );
  const position = rows[0]?.position;
  return position == null ? null : positionFromString(position);
};
