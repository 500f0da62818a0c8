import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { type RunningJourney, startJourney } from '../startJourney.ts';

/** JOURNEY_CORS_ORIGINS reaches the collector that `journey start` runs. */
describe('CORS origins from the configuration', () => {
  let dataDir: string;
  let journey: RunningJourney;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'journey-cors-'));
    journey = await startJourney(
      loadConfig({
        PORT: '0',
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_WRITE_KEYS: 'wk_cors_test',
        JOURNEY_API_TOKEN: 'jt_cors_test_0123456789',
        JOURNEY_CORS_ORIGINS: 'https://app.example.com',
        LOG_LEVEL: 'silent',
      }),
      ['collector'],
    );
  });
  afterAll(async () => {
    await journey?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const preflight = (origin: string) =>
    fetch(`${journey.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('answers the configured origin', async () => {
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBe(
      'https://app.example.com',
    );
  });

  it('gives any other origin no allow-origin header', async () => {
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
