import type pg from 'pg';

/**
 * A rebuild's shadow: a schema of its own holding tables shaped as the live ones of schema
 * `journey`, under the same names, so the stores write it unchanged given the schema, and
 * the swap moves tables (with their indexes, constraints and identity sequences, names
 * unchanged) between schemas instead of renaming them.
 */

const identifier = /^[a-z_][a-z0-9_]*$/;

export const checkedName = (name: string): string => {
  if (!identifier.test(name)) throw new Error(`"${name}" is not a plain lower-case SQL name`);
  return name;
};

/**
 * Drops any leftover of `schema`, then creates it with an empty copy of each live table:
 * columns, defaults, identity, checks, and the primary and unique keys the writes' upserts
 * need; the other indexes wait for `indexShadow`. `seed` tables keep the live rows (settings).
 */
export const createShadowSchema = async (
  client: pg.ClientBase,
  schema: string,
  tables: readonly string[],
  seed: readonly string[] = [],
): Promise<void> => {
  await client.query(`DROP SCHEMA IF EXISTS ${checkedName(schema)} CASCADE; CREATE SCHEMA ${schema}`);
  for (const table of tables.map(checkedName)) {
    await client.query(`CREATE TABLE ${schema}.${table} (LIKE journey.${table} INCLUDING ALL EXCLUDING INDEXES)`);
    const { rows } = await client.query<{ name: string; definition: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
      [`journey.${table}`],
    );
    for (const { name, definition } of rows)
      await client.query(`ALTER TABLE ${schema}.${table} ADD CONSTRAINT "${name}" ${definition}`);
    if (seed.includes(table)) await client.query(`INSERT INTO ${schema}.${table} SELECT * FROM journey.${table}`);
  }
};

/** the live tables' indexes that back no constraint (the query indexes), built on the shadow's tables */
export const indexShadowTables = async (client: pg.ClientBase, schema: string, tables: readonly string[]) => {
  for (const table of tables.map(checkedName)) {
    const { rows } = await client.query<{ definition: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
       WHERE i.indrelid = $1::regclass
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
       ORDER BY i.indexrelid`,
      [`journey.${table}`],
    );
    for (const { definition } of rows) {
      const onShadow = definition.replace(
        new RegExp(` ON (ONLY )?journey\\.${table} USING `),
        ` ON $1${checkedName(schema)}.${table} USING `,
      );
      if (onShadow === definition)
        throw new Error(`cannot read the index definition of journey.${table}: ${definition}`);
      await client.query(onShadow);
    }
  }
};

/**
 * Moves the live tables out to `retired`, the shadow's in to `journey`, in the caller's
 * transaction; the retired ones are dropped by the caller once nothing reads them any more.
 */
export const moveShadowIn = async (
  client: pg.ClientBase,
  shadow: string,
  retired: string,
  tables: readonly string[],
): Promise<void> => {
  await client.query(`DROP SCHEMA IF EXISTS ${checkedName(retired)} CASCADE; CREATE SCHEMA ${retired}`);
  for (const table of tables.map(checkedName)) {
    await client.query(
      `ALTER TABLE journey.${table} SET SCHEMA ${retired}; ALTER TABLE ${checkedName(shadow)}.${table} SET SCHEMA journey`,
    );
  }
};
