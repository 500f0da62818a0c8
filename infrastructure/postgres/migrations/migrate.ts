import type pg from 'pg';
import { ConfigError } from '../../../domain/errors/journeyError.ts';
import type { Migration } from './migration.ts';

/** Any fixed number will do, as long as every Journey process uses the same one. */
const MIGRATION_LOCK = '7349201554';

export type MigrationOutcome = { readonly from: number; readonly to: number; readonly applied: readonly string[] };

const newerSchemaMessage = (found: number, known: number): string =>
  `the PostgreSQL schema is at version ${found}, newer than this Journey knows (${known}): a newer Journey migrated this database; run that version (or newer) against it, or point JOURNEY_DATABASE_URL at another database`;

const outOfOrder = (migrations: readonly Migration[]): boolean => migrations.some((m, i) => m.version !== i + 1);

/** the schema's version in one query, without lock or DDL: 0 before the first migration */
const versionFound = async (pool: pg.Pool): Promise<number> => {
  try {
    const { rows } = await pool.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM journey.schema_migrations',
    );
    return rows[0]?.version ?? 0;
  } catch (error) {
    // no journey schema or table yet (undefined_table, invalid_schema_name)
    if (['42P01', '3F000'].includes((error as { code?: string }).code ?? '')) return 0;
    throw error;
  }
};

/**
 * Brings the schema to the newest version under an advisory lock, so that several processes
 * starting at once migrate once: the first applies, the others wait and find nothing to do.
 * A schema already at this version is seen in one query, without the lock: every thread of
 * every process opens the read side at start-up.
 */
export const migrate = async (pool: pg.Pool, migrations: readonly Migration[]): Promise<MigrationOutcome> => {
  if (outOfOrder(migrations)) throw new Error('migrations must be numbered 1, 2, 3, … without gaps');
  const known = migrations.length;
  const found = await versionFound(pool);
  if (found > known) throw new ConfigError(newerSchemaMessage(found, known));
  if (found === known) return { from: found, to: known, applied: [] };
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS journey;
      CREATE TABLE IF NOT EXISTS journey.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM journey.schema_migrations',
    );
    const from = rows[0]?.version ?? 0;
    if (from > known) throw new ConfigError(newerSchemaMessage(from, known));
    const applied: string[] = [];
    for (const migration of migrations.slice(from)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO journey.schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(
          `PostgreSQL migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      applied.push(`${migration.version} ${migration.name}`);
    }
    return { from, to: Math.max(from, known), applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
};
