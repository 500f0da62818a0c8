import type pg from 'pg';
import type { ReadModelWriter, UserProfile } from '../../../application/ports/readModels/readModels.ts';
import { PostgresBatchWriter } from './postgresBatchWriter.ts';
import { toUserProfile, USER_COLUMNS, type UserRow } from './readModelRows.ts';

/** a projection asking for new users on every pass is not deterministic, and would never end */
const MAX_PASSES = 10;

export type Applied = { readonly writer: PostgresBatchWriter; readonly stored: Map<string, UserProfile | null> };

/**
 * Runs `apply` until it asked only for profiles already loaded, loading the ones it missed
 * between passes (apply is deterministic, so the last pass is what it would do against the
 * tables). A pass that throws after missing some is a pass on partial answers: tried again.
 */
export const applyWithProfiles = async (
  client: pg.ClientBase,
  apply: (writer: ReadModelWriter) => void,
  schema = 'journey',
): Promise<Applied> => {
  const stored = new Map<string, UserProfile | null>();
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
      `SELECT ${USER_COLUMNS} FROM ${schema}.users WHERE user_id = ANY($1::text[])`,
      [ids],
    );
    for (const id of ids) stored.set(id, null);
    for (const row of rows) stored.set(row.user_id, toUserProfile(row));
  }
};
