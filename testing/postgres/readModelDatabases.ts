import pg from 'pg';
import { connectPostgres } from '../../infrastructure/postgres/connectPostgres.ts';
import { migrate } from '../../infrastructure/postgres/migrations/migrate.ts';
import { migrations } from '../../infrastructure/postgres/migrations/migrations.ts';
import {
  PostgresReadModels,
  type PostgresReadModelsOptions,
} from '../../infrastructure/postgres/readModels/postgresReadModels.ts';
import { type PostgresServer, startPostgresServer } from './postgresServer.ts';

export type ReadModelDatabase = {
  readonly store: PostgresReadModels;
  readonly pool: pg.Pool;
  /** closes the store, ends the pool and drops the database */
  drop(): Promise<void>;
};

export type ReadModelDatabases = {
  readonly server: PostgresServer;
  /** a superuser pool on the server's `journey` database */
  readonly admin: pg.Pool;
  /** read models on a fresh, migrated database of their own */
  fresh(options?: PostgresReadModelsOptions): Promise<ReadModelDatabase>;
  stop(): Promise<void>;
};

/**
 * Test support: a private PostgreSQL server whose every test gets its own database, copied
 * from a migrated template (much faster than migrating each).
 */
export const readModelDatabases = async (): Promise<ReadModelDatabases> => {
  const server = await startPostgresServer();
  const urlOf = (database: string): string => server.url.replace(/\/journey$/, `/${database}`);
  const admin = new pg.Pool({ connectionString: server.url, max: 1 });
  admin.on('error', () => undefined); // an idle client dies with the server when a test kills it
  await admin.query('CREATE DATABASE rm_template');
  const template = new pg.Pool({ connectionString: urlOf('rm_template'), max: 1 });
  await migrate(template, migrations);
  await template.end();
  let count = 0;
  return {
    server,
    admin,
    fresh: async (options = {}) => {
      const database = `rm_${++count}`;
      await admin.query(`CREATE DATABASE ${database} TEMPLATE rm_template`);
      const pool = await connectPostgres({ url: urlOf(database), poolSize: 4 });
      const store = await PostgresReadModels.open(pool, options);
      return {
        store,
        pool,
        drop: async () => {
          await store.close();
          await pool.end();
          await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
        },
      };
    },
    stop: async () => {
      await admin.end();
      await server.stop();
    },
  };
};
