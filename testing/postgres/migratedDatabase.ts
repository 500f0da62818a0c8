import pg from 'pg';
import { connectPostgres } from '../../infrastructure/postgres/connectPostgres.ts';
import { migrate } from '../../infrastructure/postgres/migrations/migrate.ts';
import { migrations } from '../../infrastructure/postgres/migrations/migrations.ts';
import type { PostgresServer } from './postgresServer.ts';

let made = 0;

/**
 * Test support: a new database on `server` at the schema's newest version, and a pool on it,
 * so each fixture starts empty without a server of its own. Ending the pool is the caller's.
 */
export const migratedDatabase = async (
  server: PostgresServer,
  options: { readonly poolSize?: number } = {},
): Promise<{ readonly pool: pg.Pool; readonly url: string }> => {
  const name = `t${process.pid}_${++made}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = server.url.replace(/\/journey$/, `/${name}`);
  const pool = await connectPostgres({ url, poolSize: options.poolSize ?? 4 });
  await migrate(pool, migrations);
  return { pool, url };
};
