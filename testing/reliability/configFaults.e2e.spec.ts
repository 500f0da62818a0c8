import { execFileSync } from 'node:child_process';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../freePort.ts';
import { journeyProcess } from '../journey/journeyProcess.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { API_TOKEN, WRITE_KEY } from './journeyCluster.ts';

const isRoot = process.getuid?.() === 0;

/**
 * Bad configuration and unusable data directories: the process stops at start-up with a
 * message that says what is wrong and where (exit code 2), and once that is fixed the next
 * start works: nothing half-written is left behind.
 */
describe('reliability: corrupt configuration and an unusable data directory stop start-up with what to fix', {
  timeout: 150_000,
}, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const setup = async (env: Record<string, string> = {}, fileSizeLimitKiB?: () => number | undefined) => {
    const data = await tempDataDir('config');
    const dataDir = data.dir;
    cleanups.push(() => data.remove());
    const port = await freePort();
    const vars: Record<string, string> = {
      JOURNEY_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    };
    const proc = journeyProcess('journey start', ['start'], () => vars, {
      ...(fileSizeLimitKiB ? { fileSizeLimitKiB } : {}),
    });
    cleanups.push(() => proc.kill());
    return { dataDir, proc, vars };
  };

  it('a truncated mapping-rules file: exit 2 naming the file; the fixed file starts', async () => {
    const { dataDir, proc, vars } = await setup({ JOURNEY_WRITE_KEYS: WRITE_KEY, JOURNEY_API_TOKEN: API_TOKEN });
    const rules = join(dataDir, 'rules.json');
    await writeFile(rules, '{"version": 1, "rules": [{"id": "x", "when": {"type": "tr');
    vars.JOURNEY_RULES = rules;
    await expect(proc.start()).rejects.toThrow(/exited while starting \(code 2[\s\S]*rules\.json/);
    const rule = { id: 'signed-up', when: { type: 'track', event: 'Signed Up' }, emit: 'UserSignedUp', data: {} };
    await writeFile(rules, JSON.stringify({ version: 1, rules: [rule] }));
    await proc.start();
  });

  it('an invalid variable: exit 2 naming it and what is allowed', async () => {
    const { proc } = await setup({ JOURNEY_WRITE_KEYS: WRITE_KEY, JOURNEY_API_TOKEN: 'short' });
    await expect(proc.start()).rejects.toThrow(/code 2[\s\S]*JOURNEY_API_TOKEN[\s\S]*at least 16 characters/);
  });

  it('the generated credentials cannot be written (ulimit -f 0): exit 2 saying so, and no half-written file breaks the next start', async () => {
    let limit: number | undefined = 0;
    const { dataDir, proc } = await setup({}, () => limit);
    await expect(proc.start()).rejects.toThrow(/code 2[\s\S]*credentials\.json/);
    limit = undefined;
    await proc.start();
    expect((await readdir(dataDir)).filter((f) => f.includes('credentials'))).toEqual(['credentials.json']);
  });

  it(`a read-only data directory: exit 2 naming it${isRoot ? ' (a read-only tmpfs: root ignores file modes)' : ''}`, async () => {
    const { dataDir, proc } = await setup({ JOURNEY_WRITE_KEYS: WRITE_KEY, JOURNEY_API_TOKEN: API_TOKEN });
    if (isRoot) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', dataDir]);
      cleanups.push(async () => {
        execFileSync('umount', [dataDir]);
      });
    } else {
      await chmod(dataDir, 0o555);
    }
    await expect(proc.start()).rejects.toThrow(/code 2[\s\S]*not writable/);
    if (isRoot) execFileSync('mount', ['-o', 'remount,rw', dataDir]);
    else await chmod(dataDir, 0o755);
    await proc.start();
    await proc.kill(); // before the unmount
  });
});
