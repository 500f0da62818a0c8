import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY as WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import type { RunningJourney } from '../startJourney.ts';

/**
 * Segment's own Node SDK, unchanged but for its host, posts to our collector: the promise
 * that existing tracking SDKs just work.
 */
describe('Segment analytics-node against the collector', () => {
  let data: TempDataDir;
  let journey: RunningJourney;

  beforeAll(async () => {
    data = await tempDataDir('sdk');
    journey = await startTestJourney(data.dir);
  });
  afterAll(async () => {
    await journey?.stop();
    await data.remove();
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
