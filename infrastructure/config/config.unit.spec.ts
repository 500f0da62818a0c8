import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError } from '../../domain/errors/journeyError.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { loadConfig } from './config.ts';
import { resolveCredentials } from './credentials.ts';
import { loadRules } from './loadRules.ts';

const failure = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(isConfigError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has defaults that run Journey embedded', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8080,
      HOST: '127.0.0.1',
      JOURNEY_DATA_DIR: './data',
      JOURNEY_ACTIVE_WINDOW_DAYS: 15,
    });
  });

  it('names every bad variable and what is allowed, hiding secrets', () => {
    const message = failure(() =>
      loadConfig({
        PORT: '99999',
        JOURNEY_MEANINGFUL_EVENTS: 'ProjectCreated,Nope',
        JOURNEY_API_TOKEN: 'short-secret',
        LOG_LEVEL: 'loud',
      }),
    );
    expect(message).toContain('PORT=99999: must be a whole number from 0 to 65535');
    expect(message).toContain('JOURNEY_MEANINGFUL_EVENTS=ProjectCreated,Nope: must be journey event types');
    expect(message).toContain('JOURNEY_API_TOKEN=(hidden): must be at least 16 characters');
    expect(message).toContain('LOG_LEVEL=loud');
    expect(message).not.toContain('short-secret');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(8080);
  });
});

describe('credentials', () => {
  const dirs: TempDataDir[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await d.remove();
  });

  it('generates keys on first start and keeps them for the next', async () => {
    const data = await tempDataDir('cred');
    dirs.push(data);
    const dir = data.dir;
    const config = loadConfig({ JOURNEY_DATA_DIR: dir });
    const first = resolveCredentials(config);
    const second = resolveCredentials(config);
    expect(first.generated).toBe(true);
    expect(second.generated).toBe(false);
    expect([...second.writeKeys]).toEqual([...first.writeKeys]);
    expect(second.apiToken).toBe(first.apiToken);
    expect(JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')).apiToken).toBe(first.apiToken);
  });

  it('takes named write keys from the environment', () => {
    const config = loadConfig({
      JOURNEY_WRITE_KEYS: 'web:wk_web, backend:wk_api,wk_bare',
      JOURNEY_API_TOKEN: 'x'.repeat(16),
    });
    expect([...resolveCredentials(config).writeKeys]).toEqual([
      ['wk_web', 'web'],
      ['wk_api', 'backend'],
      ['wk_bare', 'source-3'],
    ]);
  });
});

describe('mapping rules file', () => {
  it('uses the default rules when JOURNEY_RULES is unset', () => {
    expect(loadRules(undefined).rules.length).toBeGreaterThan(5);
  });

  it('stops with the path when the file is missing or not JSON', async () => {
    expect(failure(() => loadRules('/nonexistent/rules.json'))).toContain(
      'JOURNEY_RULES=/nonexistent/rules.json: cannot read',
    );
    const data = await tempDataDir('rules');
    const file = data.file('rules.json');
    await writeFile(file, '{ nope');
    expect(failure(() => loadRules(file))).toContain('is not valid JSON');
    await writeFile(
      file,
      JSON.stringify({ version: 1, rules: [{ id: 'bad-one', when: { type: 'track' }, emit: 'NotAnEvent' }] }),
    );
    const message = failure(() => loadRules(file));
    expect(message).toContain(file);
    expect(message).toContain('bad-one');
    await data.remove();
  });
});
