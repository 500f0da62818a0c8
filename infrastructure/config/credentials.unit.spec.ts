import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError } from '../../domain/errors/journeyError.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { loadConfig } from './config.ts';
import { resolveCredentials } from './credentials.ts';

const TOKEN = 'jt_0123456789abcdef';

const refusal = (env: Record<string, string>): string => {
  try {
    resolveCredentials(loadConfig(env));
  } catch (error) {
    expect(isConfigError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('write keys scoped per source', () => {
  const dirs: TempDataDir[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await d.remove();
  });

  it('maps each key to its source and keeps the old bare form working', () => {
    const { writeKeys } = resolveCredentials(
      loadConfig({ JOURNEY_WRITE_KEYS: 'web:key1,backend:key2,legacykey', JOURNEY_API_TOKEN: TOKEN }),
    );
    expect([...writeKeys]).toEqual([
      ['key1', 'web'],
      ['key2', 'backend'],
      ['legacykey', 'source-3'],
    ]);
  });

  it('refuses an API token that is also a write key, naming the source and not the secret', () => {
    const message = refusal({ JOURNEY_WRITE_KEYS: `web:${TOKEN}`, JOURNEY_API_TOKEN: TOKEN });
    expect(message).toContain('JOURNEY_API_TOKEN is also a write key (source web)');
    expect(message).not.toContain(TOKEN);
  });

  it.each([
    ['web:', 'JOURNEY_WRITE_KEYS entry 1 (source web) has no key after the colon'],
    ['web:k1,backend:k1', 'JOURNEY_WRITE_KEYS entry 2 (source backend) repeats the key of source web'],
    ['we b:k1', 'JOURNEY_WRITE_KEYS entry 1 (source we b): the source name must be'],
  ])('refuses %s, saying which entry', (keys, expected) => {
    const message = refusal({ JOURNEY_WRITE_KEYS: keys, JOURNEY_API_TOKEN: TOKEN });
    expect(message).toContain(expected);
    expect(message).not.toContain('k1');
  });

  it('stops with the path when credentials.json is damaged, instead of running with an undefined key', async () => {
    const data = await tempDataDir('cred');
    dirs.push(data);
    const dir = data.dir;
    await writeFile(join(dir, 'credentials.json'), JSON.stringify({ writeKey: 'wk_x' }));
    const message = refusal({ JOURNEY_DATA_DIR: dir });
    expect(message).toContain(join(dir, 'credentials.json'));
    expect(message).toContain('does not hold a writeKey and an apiToken');
    await writeFile(join(dir, 'credentials.json'), '{ broken');
    expect(refusal({ JOURNEY_DATA_DIR: dir })).toContain('cannot read or create');
  });
});
