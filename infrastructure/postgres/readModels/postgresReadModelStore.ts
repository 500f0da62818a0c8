import type pg from 'pg';
import {
  comparePositions,
  type Position,
  positionFromString,
  positionToString,
} from '../../../application/ports/eventStore/eventStore.ts';
import type {
  CheckpointResult,
  ReadModelWriter,
  UserProfile,
} from '../../../application/ports/readModels/readModels.ts';
import { rethrowConnectionLost } from '../connectionLost.ts';
import { PostgresBatchWriter } from './postgresBatchWriter.ts';
import { toUserProfile, USER_COLUMNS, type UserRow } from './readModelRows.ts';
import { writeBatch } from './writeBatch.ts';

/** a projection asking for new users on every pass is not deterministic, and would never end */
const MAX_PASSES = 10;

const samePosition = (a: Position | null, b: Position | null): boolean =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;

/** locks the projection's checkpoint row (made if missing) and returns the position it holds */
const LOCK_CHECKPOINT = `INSERT INTO journey.read_model_checkpoints AS c (projection, position) VALUES ($1, NULL)
  ON CONFLICT (projection) DO UPDATE SET position = c.position RETURNING position`;

type Applied = { readonly writer: PostgresBatchWriter; readonly stored: Map<string, UserProfile | null> };

/**
 * Runs `apply` until it asked only for profiles already loaded, loading the ones it missed
 * between passes (apply is deterministic, so the last pass is what it would do against the
 * tables). A pass that throws after missing some is a pass on partial answers: tried again.
 */
export const applyWithProfiles = async (
  client: pg.ClientBase,
  apply: (writer: ReadModelWriter) => void,
  stored: Map<string, UserProfile | null> = new Map(),
): Promise<Applied> => {
  for (let pass = 1; ; pass++) {
    const writer = new PostgresBatchWriter(stored);
    let failure: unknown;
    try {
      apply(writer);
    } catch (error) {
      if (writer.missing.size === 0) throw error;
      failure = error;
    }
    if (writer.missing.size === 0) return { writer, stored };
    if (pass === MAX_PASSES)
      throw new Error(
        `the projection asked for new profiles on each of ${MAX_PASSES} runs over the same batch; its apply must be deterministic`,
        { cause: failure },
      );
    const ids = [...writer.missing];
    const { rows } = await client.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM journey.users WHERE user_id = ANY($1::text[])`,
      [ids],
    );
    for (const id of ids) stored.set(id, null);
    for (const row of rows) stored.set(row.user_id, toUserProfile(row));
  }
};

/** The projection side of the PostgreSQL read models: each batch and its checkpoint in one transaction. */
export class PostgresReadModelStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string | undefined,
  ) {}

  async readCheckpoint(projection: string): Promise<Position | null> {
    try {
      const { rows } = await this.pool.query<{ position: string | null }>(
        'SELECT position FROM journey.read_model_checkpoints WHERE projection = $1',
        [projection],
      );
      const position = rows[0]?.position;
      return position == null ? null : positionFromString(position);
    } catch (error) {
      return rethrowConnectionLost(error, this.url, `reading the checkpoint of ${projection}`);
    }
  }

  async applyBatch(
    projection: string,
    { from, to }: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    const doing = `applying a batch of ${projection}`;
    const client = await this.pool.connect().catch((error: unknown) => rethrowConnectionLost(error, this.url, doing));
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ position: string | null }>(LOCK_CHECKPOINT, [projection]);
      const stored = locked.rows[0]?.position;
      const current = stored == null ? null : positionFromString(stored);
      if (!samePosition(current, from)) {
        await client.query('ROLLBACK');
        return { kind: 'mismatch', current };
      }
      const applied = await applyWithProfiles(client, apply);
      await writeBatch(client, applied.writer, applied.stored);
      await client.query('UPDATE journey.read_model_checkpoints SET position = $2 WHERE projection = $1', [
        projection,
        positionToString(to),
      ]);
      await client.query('COMMIT');
      return { kind: 'stored' };
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      return rethrowConnectionLost(error, this.url, doing);
    } finally {
      client.release(broken);
    }
  }
}
