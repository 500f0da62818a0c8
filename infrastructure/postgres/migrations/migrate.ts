import type pg from 'pg';
import { ConfigError } from '../../../domain/errors/journeyError.ts';
import { ADVISORY_LOCKS } from '../advisoryLocks.ts';
import type { Migration } from './migration.ts';

/** several processes starting at once migrate once (see advisoryLocks.ts) */
const MIGRATION_LOCK = ADVISORY_LOCKS.migration;

/** `from` and `to`: the newest version applied before and after (0: none) */
export type MigrationOutcome = { readonly from: number; readonly to: number; readonly applied: readonly string[] };

type Applied = ReadonlyMap<number, string>;

const newerSchemaMessage = (found: number, known: number): string =>
  `the PostgreSQL schema is at version ${found}, newer than this Journey knows (${known}): a newer Journey migrated this database; run that version (or newer) against it, or point JOURNEY_DATABASE_URL at another database`;

const otherMigrationMessage = (version: number, found: string, known: string): string =>
  `the PostgreSQL schema's migration ${version} is "${found}", but this Journey's is "${known}": another build of Journey migrated this database; run that build against it, or point JOURNEY_DATABASE_URL at a new database`;

/**
 * Versions must increase but may skip a number: branches that each add a migration can be
 * merged in either order, and a database lacking a lower version gets it even when higher ones
 * are applied (each migration stands on its own tables).
 */
const checkOrder = (migrations: readonly Migration[]): void => {
  if (migrations.some((m, i) => !Number.isInteger(m.version) || m.version <= (migrations[i - 1]?.version ?? 0)))
    throw new Error('migrations must be listed with increasing whole version numbers, each once');
};

const newest = (versions: Iterable<number>): number => Math.max(0, ...versions);

/** refuses a database migrated by code that knows more, or whose step of some version is another one */
const checkApplied = (applied: Applied, migrations: readonly Migration[]): void => {
  const known = newest(migrations.map((m) => m.version));
  const found = newest(applied.keys());
  if (found > known) throw new ConfigError(newerSchemaMessage(found, known));
  for (const m of migrations) {
    const name = applied.get(m.version);
    if (name !== undefined && name !== m.name) throw new ConfigError(otherMigrationMessage(m.version, name, m.name));
  }
};

/** the versions applied and their names, without lock or DDL: none before the first migration */
const appliedIn = async (db: pg.ClientBase | pg.Pool): Promise<Applied> => {
  try {
    const { rows } = await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM journey.schema_migrations',
    );
    return new Map(rows.map((r) => [r.version, r.name]));
  } catch (error) {
    // no journey schema or table yet (undefined_table, invalid_schema_name)
    if (['42P01', '3F000'].includes((error as { code?: string }).code ?? '')) return new Map();
    throw error;
  }
};

/**
 * Applies the migrations the schema lacks, in version order, under an advisory lock, so that
 * several processes starting at once migrate once: the first applies, the others wait and find
 * nothing to do. A schema already up to date is seen in one query, without the lock: every
 * thread of every process opens the read side at start-up.
 */
export const migrate = async (pool: pg.Pool, migrations: readonly Migration[]): Promise<MigrationOutcome> => {
  checkOrder(migrations);
  const seen = await appliedIn(pool);
  checkApplied(seen, migrations);
  if (migrations.every((m) => seen.has(m.version))) {
    const at = newest(seen.keys());
    return { from: at, to: at, applied: [] };
  }
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS journey;
      CREATE TABLE IF NOT EXISTS journey.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const before = await appliedIn(client);
    checkApplied(before, migrations);
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !before.has(m.version))) {
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
          { cause: error },
        );
      }
      applied.push(`${migration.version} ${migration.name}`);
    }
    const from = newest(before.keys());
    return { from, to: Math.max(from, newest(migrations.map((m) => m.version))), applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
};
