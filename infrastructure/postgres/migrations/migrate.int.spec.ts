import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../../../domain/errors/journeyError.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { migrate } from './migrate.ts';
import type { Migration } from './migration.ts';
import { migrations } from './migrations.ts';

const counted = (version: number): Migration => ({
  version,
  name: `step ${version}`,
  sql: `CREATE TABLE IF NOT EXISTS journey.applied (version integer NOT NULL);
INSERT INTO journey.applied VALUES (${version});`,
});

describe('PostgreSQL migrations', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const withPool = async <T>(database: string, f: (pool: pg.Pool) => Promise<T>): Promise<T> => {
    const pool = new pg.Pool({ connectionString: server.url.replace(/\/journey$/, `/${database}`), max: 2 });
    try {
      return await f(pool);
    } finally {
      await pool.end();
    }
  };
  const freshDatabase = async (name: string): Promise<void> => {
    await withPool('journey', (pool) => pool.query(`CREATE DATABASE ${name}`));
  };

  it("brings an empty database to the code's version, then finds nothing to do", async () => {
    await freshDatabase('m_fresh');
    await withPool('m_fresh', async (pool) => {
      const latest = migrations.at(-1)?.version;
      const first = await migrate(pool, migrations);
      expect(first).toMatchObject({ from: 0, to: latest });
      expect(first.applied).toHaveLength(migrations.length);
      expect(await migrate(pool, migrations)).toEqual({ from: latest, to: latest, applied: [] });
      const { rows } = await pool.query('SELECT version FROM journey.schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    });
  });

  it('migrates once when several processes start at once', async () => {
    await freshDatabase('m_race');
    const steps = [1, 2, 3, 4, 5].map(counted);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => withPool('m_race', (pool) => migrate(pool, steps))),
    );
    expect(outcomes.flatMap((o) => o.applied)).toHaveLength(5);
    await withPool('m_race', async (pool) => {
      const { rows } = await pool.query('SELECT version FROM journey.applied ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
    });
  });

  it('applies only the new steps of a newer code version', async () => {
    await freshDatabase('m_upgrade');
    await withPool('m_upgrade', async (pool) => {
      await migrate(pool, [1, 2].map(counted));
      expect(await migrate(pool, [1, 2, 3].map(counted))).toEqual({ from: 2, to: 3, applied: ['3 step 3'] });
    });
  });

  it('applies a version the database lacks though later ones are there: branches merge in either order', async () => {
    await freshDatabase('m_gap');
    await withPool('m_gap', async (pool) => {
      expect(await migrate(pool, [1, 2, 4].map(counted))).toEqual({
        from: 0,
        to: 4,
        applied: ['1 step 1', '2 step 2', '4 step 4'],
      });
      expect(await migrate(pool, [1, 2, 3, 4].map(counted))).toEqual({ from: 4, to: 4, applied: ['3 step 3'] });
      const { rows } = await pool.query('SELECT version FROM journey.applied ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4]);
    });
  });

  it('refuses a database whose step of a version is another one (renumbered), saying what to do', async () => {
    await freshDatabase('m_renumbered');
    await withPool('m_renumbered', async (pool) => {
      await migrate(pool, [1, 2].map(counted));
      const renumbered = [counted(1), { ...counted(2), name: 'leases' }];
      const refused = await migrate(pool, renumbered).catch((e: unknown) => e);
      expect(isConfigError(refused)).toBe(true);
      expect((refused as Error).message).toMatch(
        /migration 2 is "step 2", but this Journey's is "leases".*new database/,
      );
    });
  });

  it('rejects a list whose versions do not increase', async () => {
    await expect(withPool('journey', (pool) => migrate(pool, [1, 3, 2].map(counted)))).rejects.toThrow(
      /increasing whole version numbers/,
    );
  });

  it('rolls a failing step back whole and says which one failed', async () => {
    await freshDatabase('m_broken');
    await withPool('m_broken', async (pool) => {
      const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE journey.half (x int); SELECT nope;' };
      await expect(migrate(pool, [counted(1), broken])).rejects.toThrow(/migration 2 \(broken\) failed: .*nope/);
      const { rows } = await pool.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'journey' AND table_name = 'half'",
      );
      expect(rows[0].n).toBe(0);
      expect(await migrate(pool, [counted(1)])).toEqual({ from: 1, to: 1, applied: [] });
    });
  });

  it('refuses a schema newer than the code knows, saying what to do', async () => {
    await freshDatabase('m_newer');
    await withPool('m_newer', async (pool) => {
      await migrate(pool, [1, 2, 3].map(counted));
      const refused = await migrate(pool, [1, 2].map(counted)).catch((e: unknown) => e);
      expect(isConfigError(refused)).toBe(true);
      expect((refused as Error).message).toMatch(/schema is at version 3, newer than this Journey knows \(2\)/);
    });
  });
});
