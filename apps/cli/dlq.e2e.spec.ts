import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type DeadLetter, type RawLog, RawLogToken } from '../../application/ports/rawLog/rawLog.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import { SqliteRawLog } from '../../infrastructure/sqlite/rawLog/sqliteRawLog.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import { freePort } from '../../testing/freePort.ts';
import { writeKeyAuth } from '../../testing/http/writeKeyAuth.ts';
import { journeyEnv, TEST_API_TOKEN, TEST_WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { type JourneyProcess, journeyProcess } from '../../testing/journey/journeyProcess.ts';
import { pipelineSettled } from '../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../testing/journey/startTestJourney.ts';
import { sleep } from '../../testing/sleep.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import type { RunningJourney } from '../journey/startJourney.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');
const WRITE_KEY = 'wk_dlq_e2e_0123456789';
const API_TOKEN = 'jt_dlq_e2e_0123456789abcdef';

describe('journey dlq', () => {
  let started: JourneyProcess | undefined;
  let data: TempDataDir | undefined;
  afterAll(async () => {
    await started?.kill();
    await data?.remove();
  });

  it('lists and shows dead letters, and replays them after a rules fix, once', async () => {
    data = await tempDataDir('dlq');
    const dataDir = data.dir;
    const port = await freePort();
    const rulesV1 = join(dataDir, 'rules-v1.json');
    const rulesV2 = join(dataDir, 'rules-v2.json');
    await writeFile(rulesV1, JSON.stringify(defaultRules));
    const fixed = structuredClone(defaultRules) as { rules: { id: string; data?: Record<string, unknown> }[] };
    const signedUp = fixed.rules.find((r) => r.id === 'track-signed-up');
    if (signedUp?.data) signedUp.data.email = ['traits.email'];
    await writeFile(rulesV2, JSON.stringify(fixed));
    const env = journeyEnv(dataDir, {
      PORT: String(port),
      JOURNEY_WRITE_KEYS: `web:${WRITE_KEY}`,
      JOURNEY_API_TOKEN: API_TOKEN,
      JOURNEY_RULES: rulesV1,
      LOG_LEVEL: 'warn',
    });
    const journey = (...args: string[]) =>
      run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );

    started = journeyProcess('journey', ['start'], () => env, { readyWhen: 'Try it:' });
    await started.start();
    const url = `http://127.0.0.1:${port}`;
    const sent = await postBatch(url, WRITE_KEY, [
      { type: 'track', event: 'No One' }, // the collector refuses it: no user
      { type: 'track', userId: 'ada', event: 'Signed Up', properties: { email: 'x'.repeat(5000) } },
    ]);
    expect(sent.status).toBe(200);

    // the mapper letter comes asynchronously: wait for it in raw.db itself, not through the CLI (each run starts a process)
    const peek = new SqliteRawLog(join(dataDir, 'raw.db'));
    let letters: DeadLetter[] = [];
    await waitUntil(
      'a collector and a mapper dead letter',
      async () => {
        letters = await peek.listRejected();
        return letters.length >= 2;
      },
      { timeoutMs: 20_000, intervalMs: 100, lastSeen: () => letters },
    ).finally(() => peek.close());
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
      let events: { type: string }[] = [];
      await waitUntil(
        'ada to appear',
        async () => {
          const r = await fetch(`${url}/api/users/ada/journey`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
          events = r.status === 200 ? ((await r.json()) as { events: { type: string }[] }).events : [];
          return events.length > 0;
        },
        { intervalMs: 100 },
      );
      return events.map((e) => e.type);
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
    const data = await tempDataDir('dlq-null');
    let running: RunningJourney | undefined;
    try {
      running = await startTestJourney(data.dir);
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
      await sleep(20); // identify came after them
      const identified = await fetch(`${url}/v1/i`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: writeKeyAuth(TEST_WRITE_KEY) },
        body: JSON.stringify({ userId: 'ada', anonymousId: 'anon-7f3a', traits: { email: 'ada@example.com' } }),
      });
      expect(identified.status).toBe(200);

      const replayed = await run(process.execPath, [bin, 'dlq', 'replay', '--all'], {
        env: { ...process.env, ...journeyEnv(data.dir, { LOG_LEVEL: 'warn' }) },
      });
      expect(replayed.stdout).toContain('replayed 2 of 2');

      await pipelineSettled(running);
      let events: { type: string; occurredAt: string; data: { path?: string } }[] = [];
      await waitUntil(
        "the replayed page views in ada's journey",
        async () => {
          const r = await fetch(`${url}/api/users/ada/journey`, {
            headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
          });
          events = r.status === 200 ? ((await r.json()) as { events: typeof events }).events : [];
          return events.length >= 3;
        },
        { intervalMs: 100, lastSeen: () => events },
      );
      // joined to ada, and in the order they happened: the visit before sign-up comes first
      const inTime = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
      expect(inTime.map((e) => [e.type, e.data.path])).toEqual([
        ['PageViewed', '/pricing'],
        ['PageViewed', '/signup'],
        ['UserIdentified', undefined],
      ]);
    } finally {
      await running?.stop();
      await data.remove();
    }
  }, 120_000);
});
