import { createHash, type Hash } from 'node:crypto';
import type pg from 'pg';
import { checkedName } from './shadowSchema.ts';

/** A table a projection owns, and the columns that order its content for the hash. */
export type OwnedTable = { readonly name: string; readonly orderBy: string };

const FETCH_ROWS = 5_000;

/**
 * sha256 over each owned table's rows of `schema` in a fixed order, as JSON without storage
 * detail (`seq`, the append order) and with instants in UTC. Comparable between versions of the
 * same model in PostgreSQL, not with SQLite's hash. In the caller's transaction (a cursor needs one).
 */
export const contentHashOf = async (
  client: pg.ClientBase,
  schema: string,
  tables: readonly OwnedTable[],
): Promise<string> => {
  const hash = createHash('sha256');
  await client.query("SET LOCAL TimeZone = 'UTC'");
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${table.name}\n`);
    await hashRows(
      client,
      `SELECT (to_jsonb(t) - 'seq')::text AS row FROM ${checkedName(schema)}.${checkedName(table.name)} t ORDER BY ${table.orderBy}`,
      hash,
    );
  }
  return hash.digest('hex');
};

const hashRows = async (client: pg.ClientBase, select: string, hash: Hash): Promise<void> => {
  await client.query(`DECLARE content_hash NO SCROLL CURSOR FOR ${select}`);
  for (;;) {
    const { rows } = await client.query<{ row: string }>(`FETCH ${FETCH_ROWS} FROM content_hash`);
    for (const { row } of rows) hash.update(`${row}\n`);
    if (rows.length < FETCH_ROWS) break;
  }
  await client.query('CLOSE content_hash');
};
