import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** `journey start` as a user runs it; resolves once the banner is out */
const start = (env: Record<string, string>) =>
  new Promise<{ child: ChildProcess; output: () => string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start'], { env: { ...process.env, ...env, LOG_LEVEL: 'warn' } });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Try it:')) resolve({ child, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`journey exited with ${code}: ${output}`)));
  });

const stopped = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('the journey command', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'journey-cli-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints help', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    for (const command of ['start', 'collector', 'mapper', 'projector', 'api', 'demo'])
      expect(stdout).toContain(command);
  });

  it('starts embedded, prints URLs and keys, keeps data across a restart, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = { PORT: String(port), JOURNEY_DATA_DIR: dataDir };
    const first = await start(env);
    const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as {
      writeKey: string;
      apiToken: string;
    };
    expect(first.output()).toContain(`http://127.0.0.1:${port}/v1/batch`);
    expect(first.output()).toContain(credentials.writeKey);
    expect(first.output()).toContain(credentials.apiToken);

    const sent = await fetch(`http://127.0.0.1:${port}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${credentials.writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ userId: 'ada', event: 'Signed Up', properties: { email: 'ada@example.com' } }),
    });
    expect(sent.status).toBe(200);
    const journey = async () => {
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`http://127.0.0.1:${port}/api/users/ada/journey`, {
          headers: { authorization: `Bearer ${credentials.apiToken}` },
        });
        // the timeline and users projections converge independently: wait for the event itself
        const body = r.status === 200 ? ((await r.json()) as { events: { type: string }[] }) : undefined;
        if (body && body.events.length > 0) return body;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('ada never appeared');
    };
    expect((await journey()).events.map((e) => e.type)).toEqual(['UserSignedUp']);
    expect(await stopped(first.child)).toBe(0);

    const second = await start(env);
    expect((await journey()).events).toHaveLength(1);
    expect(await stopped(second.child)).toBe(0);
  });

  it('refuses a bad configuration, naming the variable and what is allowed', async () => {
    const failed = await run(process.execPath, [bin, 'start'], {
      env: { ...process.env, JOURNEY_DATA_DIR: dataDir, JOURNEY_ACTIVE_WINDOW_DAYS: 'fifteen' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain(
      'JOURNEY_ACTIVE_WINDOW_DAYS=fifteen: must be a whole number from 1 to 365 days',
    );
  });
});
