import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import type { AnalyticsBrowser } from '@segment/analytics-next';
import { Analytics as SegmentNode } from '@segment/analytics-node';
import LegacyAnalytics from 'analytics-node';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RawLog, RawLogToken } from '../../../../application/ports/rawLog/rawLog.ts';
import { loadConfig } from '../../../../infrastructure/config/config.ts';
import { eventually, type JourneyAnswer, settled, userJourney } from '../../../../testing/browser/journeyProbe.ts';
import { launchChromium } from '../../../../testing/browser/launchChromium.ts';
import { startAnalyticsNextSite } from '../../../../testing/clients/analyticsNextSite.ts';
import { type RecordingProxy, startRecordingProxy } from '../../../../testing/clients/recordingProxy.ts';
import { type RunningJourney, startJourney } from '../../startJourney.ts';

const BROWSER_KEY = 'wk_clients_browser_0123456789';
const SERVER_KEY = 'wk_clients_server_0123456789';
const API_TOKEN = 'jt_clients_test_token_0123456789';

declare global {
  interface Window {
    AnalyticsBrowser: typeof AnalyticsBrowser;
    analytics: AnalyticsBrowser;
  }
}

/**
 * Segment-protocol tracking clients that nobody here wrote, each with its default settings
 * (only the host is ours), against one running Journey: every event must land in the right
 * user's journey, the anonymous page view before identify included, and none may be
 * dead-lettered. docs/compatibility.md lists what each one is checked for.
 */
describe('Segment-protocol clients against a running Journey', () => {
  let dataDir: string;
  let journey: RunningJourney;
  let proxy: RecordingProxy;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'journey-clients-'));
    journey = await startJourney(
      loadConfig({
        PORT: '0',
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_WRITE_KEYS: `web:${BROWSER_KEY},backend:${SERVER_KEY}`,
        JOURNEY_API_TOKEN: API_TOKEN,
        LOG_LEVEL: 'silent',
        JOURNEY_SQLITE_POLL_MS: '20',
      }),
    );
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await journey?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const collector = () => journey.url ?? '';
  /** the Node clients post through it, so the test sees what they put on the wire */
  const recorded = async () => {
    proxy = await startRecordingProxy(collector());
    cleanups.push(() => proxy.close());
    return proxy.url;
  };

  /** the distinct ways the requests through the proxy were sent and answered */
  const transport = () => [
    ...new Set(
      proxy.seen.map((r) => `${r.method} ${r.path} ${r.contentType} ${r.contentEncoding ?? 'identity'} ${r.status}`),
    ),
  ];

  const journeyOf = async (userId: string, events: number): Promise<JourneyAnswer> => {
    await settled(journey);
    return eventually(
      `${userId}'s journey with ${events} events`,
      () => userJourney(journey, API_TOKEN, userId),
      (answer) => answer.events.length >= events,
    );
  };

  /** dead letters since the test began: each test must add none */
  let lettersBefore = 0;
  const allDeadLetters = () => journey.container.get<RawLog>(RawLogToken).listRejected();
  const deadLetters = async () => {
    const all = await allDeadLetters(); // newest first
    return all.slice(0, all.length - lettersBefore);
  };
  beforeEach(async () => {
    lettersBefore = (await allDeadLetters()).length;
  });

  /** page (anonymous) → identify → track "Signed Up", as a server-side app sends them */
  const expectJoinedJourney = async (userId: string, email: string) => {
    const answer = await journeyOf(userId, 3);
    expect(answer.events.map((e) => e.type).sort()).toEqual(['PageViewed', 'UserIdentified', 'UserSignedUp']);
    const data = (type: string) => answer.events.find((e) => e.type === type)?.data;
    expect(data('PageViewed')).toMatchObject({ path: '/pricing', name: 'Pricing' });
    expect(data('UserIdentified')).toMatchObject({ email });
    expect(data('UserSignedUp')).toMatchObject({ plan: 'pro' });
    expect(await deadLetters()).toEqual([]);
  };

  const serverSideCalls = (userId: string) => {
    const anonymousId = `${userId}-device`;
    return {
      page: { anonymousId, name: 'Pricing', properties: { path: '/pricing' } },
      identify: { userId, anonymousId, traits: { email: `${userId}@example.com`, name: userId } },
      track: { userId, event: 'Signed Up', properties: { plan: 'pro' } },
    };
  };

  it('@segment/analytics-next (analytics.js) in Chromium on another origin: page before identify, identify, track', async () => {
    const site = await startAnalyticsNextSite(BROWSER_KEY, collector());
    cleanups.push(() => site.close());
    const browser: Browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const posts: { path: string; contentType: string | undefined; body: Record<string, unknown>; status: number }[] =
      [];
    page.on('response', (response) => {
      const request = response.request();
      if (!request.url().startsWith(collector()) || request.method() !== 'POST') return;
      posts.push({
        path: new URL(request.url()).pathname,
        contentType: request.headers()['content-type'],
        body: request.postDataJSON() as Record<string, unknown>,
        status: response.status(),
      });
    });

    await page.goto(`${site.url}/shop/pricing`);
    const failed = await page.evaluate(async () => {
      const contexts = [
        await window.analytics.page(),
        await window.analytics.identify('ada', { email: 'ada@example.com', name: 'Ada' }),
        await window.analytics.track('Signed Up', { plan: 'pro' }),
      ];
      return contexts.flatMap((ctx) => (ctx.failedDelivery() ? [String(ctx.failedDelivery()?.reason)] : []));
    });
    expect(failed).toEqual([]);
    const sent = await eventually(
      'three answered posts',
      () => posts,
      (all) => all.length === 3,
    );
    expect(sent.map((p) => [p.path, p.contentType, p.status])).toEqual([
      ['/v1/p', 'text/plain', 200],
      ['/v1/i', 'text/plain', 200],
      ['/v1/t', 'text/plain', 200],
    ]);
    // the anonymous page view is what used to be dead-lettered
    const anonymousId = sent[0]?.body.anonymousId;
    expect(sent[0]?.body).toMatchObject({ type: 'page', userId: null, anonymousId: expect.any(String) });
    expect(sent[1]?.body).toMatchObject({ type: 'identify', userId: 'ada', anonymousId });

    // analytics.js adds X-Retry-Count to a retry; the preflight must allow it or Chromium drops the retry
    const retried = await page.evaluate(
      async ({ url, key }) => {
        const response = await fetch(`${url}/v1/t`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain', Authorization: `Basic ${btoa(`${key}:`)}`, 'X-Retry-Count': '1' },
          body: JSON.stringify({ userId: 'ada', event: 'Retried', messageId: 'retry-1' }),
        });
        return response.status;
      },
      { url: collector(), key: BROWSER_KEY },
    );
    expect(retried).toBe(200);

    const answer = await journeyOf('ada', 3);
    expect(answer.events.map((e) => e.type).sort()).toEqual(['PageViewed', 'UserIdentified', 'UserSignedUp']);
    const data = (type: string) => answer.events.find((e) => e.type === type)?.data;
    expect(data('PageViewed')).toMatchObject({ path: '/shop/pricing', title: 'Pricing · Test shop' });
    expect(data('UserIdentified')).toMatchObject({ email: 'ada@example.com', anonymousId });
    expect(data('UserSignedUp')).toMatchObject({ plan: 'pro' });
    expect(await deadLetters()).toEqual([]);
  });

  it('@segment/analytics-node with its defaults: batches to /v1/batch', async () => {
    const analytics = new SegmentNode({ writeKey: SERVER_KEY, host: await recorded() });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const calls = serverSideCalls('grace');
    analytics.page(calls.page);
    analytics.identify(calls.identify);
    analytics.track(calls.track);
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    expect(transport()).toEqual(['POST /v1/batch application/json identity 200']);
    await expectJoinedJourney('grace', 'grace@example.com');
  });

  it('the legacy analytics-node with its defaults: batches to /v1/batch', async () => {
    const analytics = new LegacyAnalytics(SERVER_KEY, { host: await recorded() });
    const calls = serverSideCalls('linus');
    analytics.page(calls.page);
    analytics.identify(calls.identify);
    analytics.track(calls.track);
    await analytics.flush();
    // it sends the first event at once and batches the rest
    expect(transport()).toEqual(['POST /v1/batch application/json identity 200']);
    await expectJoinedJourney('linus', 'linus@example.com');
  });

  it('@rudderstack/rudder-sdk-node with its defaults: gzip batches labelled as a form', async () => {
    const analytics = new RudderAnalytics(SERVER_KEY, { dataPlaneUrl: await recorded() });
    const calls = serverSideCalls('barbara');
    analytics.page(calls.page);
    analytics.identify(calls.identify);
    analytics.track(calls.track);
    await analytics.flush();
    expect(transport()).toEqual(['POST /v1/batch application/x-www-form-urlencoded gzip 200']);
    await expectJoinedJourney('barbara', 'barbara@example.com');
  });
});
