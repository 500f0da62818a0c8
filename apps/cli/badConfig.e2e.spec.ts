import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');

/** runs journey expecting it to refuse to start; resolves with its exit code and stderr */
const refused = (args: string[], env: Record<string, string>) =>
  run(process.execPath, [bin, ...args], { env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env } }).then(
    (done) => ({ code: 0, stderr: done.stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );

/** generous: each case starts Journey processes, which is slow on a loaded machine; a liveness bound only */
const PATIENCE_MS = 180_000;

describe('start-up stops on invalid rules and config files, naming the file and what is wrong', () => {
  let data: TempDataDir;
  let dir = '';
  beforeAll(async () => {
    data = await tempDataDir('badconfig');
    dir = data.dir;
  });
  afterAll(async () => {
    await data?.remove();
  });

  it(
    'a rules file with a bad rule: the path, the rule id and the field',
    async () => {
      const rules = join(dir, 'rules.json');
      await writeFile(
        rules,
        JSON.stringify({
          version: 1,
          rules: [
            { id: 'fine', when: { type: 'track', event: 'Signed Up' }, emit: 'UserSignedUp' },
            { id: 'typo-rule', when: { type: 'track', event: 'Deployed' }, emit: 'DeploymentFinished' },
          ],
        }),
      );
      for (const app of ['start', 'mapper']) {
        const { code, stderr } = await refused([app], {
          JOURNEY_DATA_DIR: join(dir, `data-${app}`),
          JOURNEY_RULES: rules,
        });
        expect(code).toBe(2);
        expect(stderr).toContain(`JOURNEY_RULES=${rules}`);
        expect(stderr).toContain('typo-rule');
        expect(stderr).toContain('emit');
        expect(stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
      }
    },
    PATIENCE_MS,
  );

  it(
    'a damaged credentials.json: its path and how to recover',
    async () => {
      const dataDir = join(dir, 'data-credentials');
      await mkdir(dataDir, { recursive: true });
      await writeFile(join(dataDir, 'credentials.json'), '{"writeKey": ');
      const { code, stderr } = await refused(['start'], { JOURNEY_DATA_DIR: dataDir });
      expect(code).toBe(2);
      expect(stderr).toContain(join(dataDir, 'credentials.json'));
      expect(stderr).toContain('delete a damaged file');
    },
    PATIENCE_MS,
  );

  it(
    'an API token that is also a write key, without printing either',
    async () => {
      const secret = 'jt_same_secret_0123456789';
      const { code, stderr } = await refused(['start'], {
        JOURNEY_DATA_DIR: join(dir, 'data-clash'),
        JOURNEY_WRITE_KEYS: `web:${secret}`,
        JOURNEY_API_TOKEN: secret,
      });
      expect(code).toBe(2);
      expect(stderr).toContain('JOURNEY_API_TOKEN is also a write key (source web)');
      expect(stderr).not.toContain(secret);
    },
    PATIENCE_MS,
  );
});
