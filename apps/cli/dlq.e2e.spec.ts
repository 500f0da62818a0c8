import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type DeadLetter, type RawLog, RawLogToken } from '../../application/ports/rawLog/rawLog.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { SqliteRawLog } from '../../infrastructure/sqlite/rawLog/sqliteRawLog.ts';
import { pipelineSettled } from '../../testing/journey/pipelineSettled.ts';
import { type RunningJourney, startJourney } from '../journey/startJourney.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');
const WRITE_KEY = 'wk_dlq_e2e_0123456789';
const API_TOKEN = 'jt_dlq_e2e_0123456789abcdef';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('journey dlq', () => {
  let child: ChildProcess | undefined;
  let dataDir = '';
  afterAll(async () => {
    child?.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lists and shows dead letters, and replays them after a rules fix, once', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'journey-dlq-'));
    const port = await freePort();
    const rulesV1 = join(dataDir, 'rules-v1.json');
    const rulesV2 = join(dataDir, 'rules-v2.json');
    await writeFile(rulesV1, JSON.stringify(defaultRules));
    const fixed = structuredClone(defaultRules) as { rules: { id: string; data?: Record<string, unknown> }[] };
    const signedUp = fixed.rules.find((r) => r.id === 'track-signed-up');
    if (signedUp?.data) signedUp.data.email = ['traits.email'];
    await writeFile(rulesV2, JSON.stringify(fixed));
    const env = {
      ...process.env,
      PORT: String(port),
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_WRITE_KEYS: `web:${WRITE_KEY}`,
      JOURNEY_API_TOKEN: API_TOKEN,
      JOURNEY_RULES: rulesV1,
      LOG_LEVEL: 'warn',
    };
    const journey = (...args: string[]) =>
      run(process.execPath, [bin, ...args], { env }).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );

    await new Promise<void>((resolve, reject) => {
      child = spawn(process.execPath, [bin, 'start'], { env });
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Try it:')) resolve();
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('exit', (code) => reject(new Error(`journey exited with ${code}: ${output}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const sent = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [
          { type: 'track', event: 'No One' }, // the collector refuses it: no user
          { type: 'track', userId: 'ada', event: 'Signed Up', properties: { email: 'x'.repeat(5000) } },
        ],
      }),
    });
    expect(sent.status).toBe(200);

    // the mapper letter comes asynchronously: wait for it in raw.db itself, not through the CLI (each run starts a process)
    const peek = new SqliteRawLog(join(dataDir, 'raw.db'));
    let letters: DeadLetter[] = [];
    for (let i = 0; i < 200 && letters.length < 2; i++) {
      letters = await peek.listRejected();
      if (letters.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    await peek.close();
    expect(letters.map((l) => l.stage)).toEqual(['mapper', 'collector']);
    const [mapperLetter, collectorLetter] = letters;

    const table = await journey('dlq', 'list');
    expect(table.stdout).toContain('needs a userId or an anonymousId (source web, request index 0)');
    expect(table.stdout).toContain('track-signed-up');

    const shown = await journey('dlq', 'show', mapperLetter?.id ?? '');
    expect(JSON.parse(shown.stdout)).toEqual(mapperLetter);
    const missing = await journey('dlq', 'show', '999999');
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('there is no dead letter 999999') });

    const replayed = await journey('dlq', 'replay', '--all', '--rules', rulesV2);
    expect(replayed).toMatchObject({ code: 1 }); // the collector letter is still invalid
    expect(replayed.stdout).toMatch(new RegExp(`${mapperLetter?.id}\\s+mapper\\s+replayed`));
    expect(replayed.stdout).toMatch(new RegExp(`${collectorLetter?.id}\\s+collector\\s+failing`));
    expect(replayed.stdout).toContain('replayed 1 of 2');

    const journeyOf = async () => {
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`${url}/api/users/ada/journey`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
        const body = r.status === 200 ? ((await r.json()) as { events: { type: string }[] }) : undefined;
        if (body && body.events.length > 0) return body.events.map((e) => e.type);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('ada never appeared');
    };
    expect(await journeyOf()).toEqual(['UserSignedUp']);

    const again = await journey('dlq', 'replay', mapperLetter?.id ?? '');
    expect(again).toMatchObject({ code: 1 });
    expect(again.stdout).toContain('missing');
    const left = await journey('dlq', 'list', '--json');
    expect(
      left.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as DeadLetter).id),
    ).toEqual([collectorLetter?.id]);
    expect(await journeyOf()).toEqual(['UserSignedUp']);
  }, 300_000);

  it('brings back the anonymous page views an earlier version refused for a null userId, joined to the user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journey-dlq-null-'));
    let running: RunningJourney | undefined;
    try {
      const env = {
        JOURNEY_DATA_DIR: dir,
        JOURNEY_WRITE_KEYS: `web:${WRITE_KEY}`,
        JOURNEY_API_TOKEN: API_TOKEN,
        LOG_LEVEL: 'warn',
      };
      running = await startJourney(
        loadConfig({ ...env, PORT: '0', LOG_LEVEL: 'silent', JOURNEY_SQLITE_POLL_MS: '20' }),
      );
      const url = running.url ?? '';
      // What an earlier collector stored for analytics.js page views before identify (now they are accepted).
      const pageView = (path: string, at: number) => ({
        type: 'page',
        userId: null,
        anonymousId: 'anon-7f3a',
        messageId: `ajs-next-${path}`,
        properties: { path, url: `https://shop.example.com${path}`, title: 'Shop' },
        context: { page: { path }, library: { name: 'analytics.js', version: 'npm:next-1.84.3' } },
        timestamp: new Date(at).toISOString(),
        sentAt: new Date(at + 5).toISOString(),
      });
      const reason = 'userId must be a string or a number, not null (source web, request index 0)';
      const now = Date.now();
      await running.container.get<RawLog>(RawLogToken).reject([
        { stage: 'collector', reason, payload: pageView('/pricing', now - 2_000) },
        { stage: 'collector', reason, payload: pageView('/signup', now - 1_000) },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 20)); // identify came after them
      const identified = await fetch(`${url}/v1/i`, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        },
        body: JSON.stringify({ userId: 'ada', anonymousId: 'anon-7f3a', traits: { email: 'ada@example.com' } }),
      });
      expect(identified.status).toBe(200);

      const replayed = await run(process.execPath, [bin, 'dlq', 'replay', '--all'], {
        env: { ...process.env, ...env },
      });
      expect(replayed.stdout).toContain('replayed 2 of 2');

      await pipelineSettled(running);
      let events: { type: string; occurredAt: string; data: { path?: string } }[] = [];
      for (let i = 0; i < 100 && events.length < 3; i++) {
        const r = await fetch(`${url}/api/users/ada/journey`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
        events = r.status === 200 ? ((await r.json()) as { events: typeof events }).events : [];
        if (events.length < 3) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // joined to ada, and in the order they happened: the visit before sign-up comes first
      const inTime = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
      expect(inTime.map((e) => [e.type, e.data.path])).toEqual([
        ['PageViewed', '/pricing'],
        ['PageViewed', '/signup'],
        ['UserIdentified', undefined],
      ]);
    } finally {
      await running?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
