import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import type { RunningJourney } from '../startJourney.ts';

/** JOURNEY_CORS_ORIGINS reaches the collector that `journey start` runs. */
describe('CORS origins from the configuration', () => {
  let data: TempDataDir;
  let journey: RunningJourney;
  beforeAll(async () => {
    data = await tempDataDir('cors');
    journey = await startTestJourney(data.dir, { JOURNEY_CORS_ORIGINS: 'https://app.example.com' }, ['collector']);
  });
  afterAll(async () => {
    await journey?.stop();
    await data.remove();
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
