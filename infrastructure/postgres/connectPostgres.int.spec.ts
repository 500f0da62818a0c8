import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError, isUnavailableError } from '../../domain/errors/journeyError.ts';
import { freePort } from '../../testing/freePort.ts';
import { type PostgresServer, startPostgresServer } from '../../testing/postgres/postgresServer.ts';
import { connectPostgres } from './connectPostgres.ts';

const PASSWORD = 's3cr3t-pa55';

describe('connecting to PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer({ password: PASSWORD });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const refusal = (url: string): Promise<unknown> =>
    connectPostgres({ url }).then(
      async (pool) => {
        await pool.end();
        throw new Error('connected');
      },
      (e: unknown) => e,
    );

  it('connects with the right password', async () => {
    const pool = await connectPostgres({ url: server.url });
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('a wrong password names the variable, the host and the user, never the password', async () => {
    const url = server.url.replace(PASSWORD, 'wrong-guess');
    const error = await refusal(url);
    expect(isConfigError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('JOURNEY_DATABASE_URL=');
    expect(message).toContain(`127.0.0.1:${server.port}`);
    expect(message).toContain('refused user "journey"');
    expect(message).not.toContain('wrong-guess');
    expect(message).not.toContain(PASSWORD);
  });

  it('a missing database says how to create it', async () => {
    const error = await refusal(server.url.replace(/\/journey$/, '/nosuchdb'));
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/database "nosuchdb" does not exist .*createdb nosuchdb/);
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it('an unreachable server is unavailable, with the host and what to do', async () => {
    const port = await freePort();
    const error = await refusal(`postgres://journey:${PASSWORD}@127.0.0.1:${port}/journey`);
    expect(isUnavailableError(error)).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port} is not reachable (ECONNREFUSED)`);
    expect((error as Error).message).toContain('unset JOURNEY_DATABASE_URL');
    expect((error as Error).message).not.toContain(PASSWORD);
  });
});
