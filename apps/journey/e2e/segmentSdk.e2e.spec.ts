import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { type RunningJourney, startJourney } from '../startJourney.ts';

const WRITE_KEY = 'wk_segment_sdk_test';
const API_TOKEN = 'jt_segment_sdk_test_token';

/**
 * Segment's own Node SDK, unchanged but for its host, posts to our collector: the promise
 * that existing tracking SDKs just work.
 */
describe('Segment analytics-node against the collector', () => {
  let dataDir: string;
  let journey: RunningJourney;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'journey-sdk-'));
    journey = await startJourney(
      loadConfig({
        PORT: '0',
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_WRITE_KEYS: WRITE_KEY,
        JOURNEY_API_TOKEN: API_TOKEN,
        LOG_LEVEL: 'silent',
        JOURNEY_SQLITE_POLL_MS: '20',
      }),
    );
  });
  afterAll(async () => {
    await journey?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("delivers identify, track, page and alias into the user's journey", async () => {
    const analytics = new Analytics({ writeKey: WRITE_KEY, host: journey.url ?? '', flushAt: 3, maxRetries: 1 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.page({ anonymousId: 'device-1', name: 'Pricing', properties: { path: '/pricing' } });
    analytics.identify({
      userId: 'grace',
      anonymousId: 'device-1',
      traits: { email: 'grace@example.com', name: 'Grace' },
    });
    analytics.track({ userId: 'grace', event: 'Signed Up', properties: { plan: 'pro' } });
    analytics.track({
      userId: 'grace',
      event: 'api.request',
      properties: { method: 'POST', path: '/projects', status: 201, projectId: 'p1' },
    });
    analytics.alias({ userId: 'grace', previousId: 'device-2' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    await pipelineSettled(journey);

    const response = await fetch(`${journey.url}/api/users/grace/journey`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const body = (await response.json()) as { profile: { email: string }; events: { type: string }[] };
    // Events a millisecond apart may swap: skew correction is per request (receivedAt − sentAt).
    expect(body.events.map((e) => e.type).sort()).toEqual([
      'PageViewed',
      'ProjectCreated',
      'UserIdentified',
      'UserSignedUp',
    ]);
    expect(body.profile.email).toBe('grace@example.com');
  });
});
