import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/freePort.ts';
import { writeKeyAuth } from '../../testing/http/writeKeyAuth.ts';
import { journeyProcess } from '../../testing/journey/journeyProcess.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { waitUntil } from '../../testing/waitUntil.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');

describe('the journey command', () => {
  let data: TempDataDir;
  let dataDir: string;
  beforeAll(async () => {
    data = await tempDataDir('cli');
    dataDir = data.dir;
  });
  afterAll(async () => {
    await data.remove();
  });

  it('prints help', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    for (const command of ['start', 'collector', 'mapper', 'projector', 'api', 'demo'])
      expect(stdout).toContain(command);
  });

  // two whole starts of `journey start`: 30 s was too little for both on a loaded two-core machine
  it('starts embedded, prints URLs and keys, keeps data across a restart, and stops on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    // `journey start` as a user runs it: no keys given, so it makes and prints them; up once the banner is out
    const journey = journeyProcess(
      'journey',
      ['start'],
      () => ({ PORT: String(port), JOURNEY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
      {
        readyWhen: 'Try it:',
      },
    );
    await journey.start();
    const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as {
      writeKey: string;
      apiToken: string;
    };
    expect(journey.output()).toContain(`http://127.0.0.1:${port}/v1/batch`);
    expect(journey.output()).toContain(credentials.writeKey);
    expect(journey.output()).toContain(credentials.apiToken);

    const sent = await fetch(`http://127.0.0.1:${port}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: writeKeyAuth(credentials.writeKey),
      },
      body: JSON.stringify({ userId: 'ada', event: 'Signed Up', properties: { email: 'ada@example.com' } }),
    });
    expect(sent.status).toBe(200);
    const adaJourney = async () => {
      let events: { type: string }[] = [];
      // the timeline and users projections converge independently: wait for the event itself
      await waitUntil(
        'ada to appear',
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/api/users/ada/journey`, {
            headers: { authorization: `Bearer ${credentials.apiToken}` },
          });
          events = r.status === 200 ? ((await r.json()) as { events: { type: string }[] }).events : [];
          return events.length > 0;
        },
        { intervalMs: 50 },
      );
      return events;
    };
    expect((await adaJourney()).map((e) => e.type)).toEqual(['UserSignedUp']);
    expect(await journey.stop()).toBe(0);

    await journey.start();
    expect(await adaJourney()).toHaveLength(1);
    expect(await journey.stop()).toBe(0);
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
