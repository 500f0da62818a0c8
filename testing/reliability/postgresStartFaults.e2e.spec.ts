import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../freePort.ts';
import { journeyProcess } from '../journey/journeyProcess.ts';
import { type PostgresServer, startPostgresServer } from '../postgres/postgresServer.ts';
import { type TempDataDir, tempDataDir } from '../tempDataDir.ts';
import { API_TOKEN, WRITE_KEY } from './journeyCluster.ts';

const PASSWORD = 'pg-s3cret-Pa55';

/**
 * A read side in PostgreSQL that cannot be used stops start-up, in every app that uses it,
 * with one message that names JOURNEY_DATABASE_URL and the host and port, never the password,
 * and says what to do: a non-zero exit code and no stack trace. Once the URL is right, the
 * same data directory starts.
 */
describe('reliability: a PostgreSQL read side that cannot be used stops start-up with what to fix', {
  timeout: 180_000,
}, () => {
  let server: PostgresServer;
  let data: TempDataDir;
  beforeAll(async () => {
    server = await startPostgresServer({ password: PASSWORD });
    data = await tempDataDir('pgstart');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await data?.remove();
  });

  const attempt = async (app: string, url: string) => {
    const proc = journeyProcess(`journey ${app}`, [app], () => ({
      JOURNEY_DATA_DIR: data.dir,
      JOURNEY_WRITE_KEYS: WRITE_KEY,
      JOURNEY_API_TOKEN: API_TOKEN,
      JOURNEY_DATABASE_URL: url,
      PORT: '0',
      LOG_LEVEL: 'info',
    }));
    const failure = await proc.start().then(
      async () => {
        await proc.kill();
        return undefined;
      },
      (error: Error) => error.message,
    );
    return { failure, code: failure === undefined ? 0 : await proc.exitCode(10_000) };
  };

  const expectRefused = (
    refused: { failure: string | undefined; code: number | null },
    code: number,
    says: readonly (string | RegExp)[],
  ) => {
    expect(refused.code).toBe(code);
    const output = refused.failure ?? '';
    for (const s of says) expect(output).toMatch(s);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain('wrong-guess');
    expect(output).not.toMatch(/\n\s+at .*\.ts:\d+/); // a message, not a stack trace
  };

  it('a URL that cannot be parsed: exit 2 naming the variable and the host and port written', async () => {
    const refused = await attempt('start', `postgres://journey:${PASSWORD}@127.0.0.1:54x2/journey`);
    expectRefused(refused, 2, ['JOURNEY_DATABASE_URL=(hidden)', 'must be a PostgreSQL URL', '127.0.0.1:54x2']);
  });

  it('a wrong password, in each app that uses the read side: exit 2, check the user and password', async () => {
    const wrong = server.url.replace(PASSWORD, 'wrong-guess');
    for (const app of ['start', 'projector', 'api', 'alerter']) {
      const refused = await attempt(app, wrong);
      expectRefused(refused, 2, [
        `JOURNEY_DATABASE_URL=postgres://journey:***@127.0.0.1:${server.port}/journey`,
        `PostgreSQL at 127.0.0.1:${server.port} refused user "journey"`,
        'check the user and password in JOURNEY_DATABASE_URL',
      ]);
    }
  });

  it('an unknown database: exit 2 saying how to create it', async () => {
    const refused = await attempt('start', server.url.replace(/\/journey$/, '/nosuchdb'));
    expectRefused(refused, 2, [
      'JOURNEY_DATABASE_URL=postgres://journey:***@',
      `database "nosuchdb" does not exist on 127.0.0.1:${server.port}`,
      'createdb nosuchdb',
    ]);
  });

  it('an unreachable server: a non-zero exit saying to start it; the right URL then starts', async () => {
    const port = await freePort();
    const refused = await attempt('start', `postgres://journey:${PASSWORD}@127.0.0.1:${port}/journey`);
    expectRefused(refused, 1, [
      `PostgreSQL at 127.0.0.1:${port} is not reachable (ECONNREFUSED)`,
      'start it, or unset JOURNEY_DATABASE_URL',
    ]);
    const fixed = await attempt('start', server.url);
    expect(fixed).toEqual({ failure: undefined, code: 0 });
  });
});
