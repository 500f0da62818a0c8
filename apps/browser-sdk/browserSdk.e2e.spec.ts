import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, rawEvents, settled, userJourney } from '../../testing/browser/journeyProbe.ts';
import { launchChromium } from '../../testing/browser/launchChromium.ts';
import { startTestSite, type TestSite } from '../../testing/browser/testSite.ts';
import { freePort } from '../../testing/freePort.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY as WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { startTestJourney } from '../../testing/journey/startTestJourney.ts';
import { tempDataDir } from '../../testing/tempDataDir.ts';
import type { Journey } from './journey.ts';

/** short timers, so retries and batches happen within a test's patience */
const FAST = { flushIntervalMs: 100, retryBaseMs: 100, retryMaxMs: 400 };

declare global {
  interface Window {
    journey: Journey;
  }
}

const anonymousIdOf = async (page: Page): Promise<string> => {
  await page.waitForFunction(() => window.journey?.anonymousId() !== undefined);
  return (await page.evaluate(() => window.journey.anonymousId())) ?? '';
};

const queuedIds = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    (JSON.parse(localStorage.getItem('journey.queue') ?? '[]') as { messageId: string }[]).map((e) => e.messageId),
  );

describe('the browser SDK in Chromium, against a running Journey', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await context?.close();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const newJourney = async (port?: number) => {
    const data = await tempDataDir('browser');
    cleanups.push(() => data.remove());
    const journey = await startTestJourney(data.dir, { PORT: String(port ?? 0) });
    cleanups.push(() => journey.stop());
    return { journey, dataDir: data.dir };
  };

  const newSite = async (options: TestSite['options']) => {
    const site = await startTestSite(options);
    cleanups.push(() => site.close());
    return site;
  };

  it('captures clicks, SPA page views, visibility and viewport, and joins anonymous views to the user on identify', async () => {
    const { journey, dataDir } = await newJourney();
    const collector = journey.url ?? '';
    const site = await newSite({
      sdkSrc: `${collector}/sdk.js`,
      init: { writeKey: WRITE_KEY, host: collector, ...FAST },
    });
    context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${site.url}/app/home`);
    const anonymousId = await anonymousIdOf(page);
    await page.click('#buy');
    await page.click('#pricing-link');
    expect(page.url()).toBe(`${site.url}/app/pricing`);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.reload();
    expect(await anonymousIdOf(page)).toBe(anonymousId);
    await page.evaluate(() => window.journey.identify('ada', { email: 'ada@example.com', name: 'Ada' }));

    const mine = (events: ReturnType<typeof rawEvents>) => events.filter((e) => e.anonymousId === anonymousId);
    const raw = await eventually(
      'every browser event reaching the raw log',
      () => mine(rawEvents(dataDir)),
      (events) => events.some((e) => e.type === 'identify') && events.filter((e) => e.type === 'page').length === 3,
    );
    const tracks = (name: string) => raw.filter((e) => e.event === name).map((e) => e.properties ?? {});
    expect(tracks('Element Clicked')).toEqual([
      expect.objectContaining({ tagName: 'button', text: 'Buy now', selector: '#buy', elementId: 'buy' }),
      expect.objectContaining({ tagName: 'a', text: 'Pricing', href: `${site.url}/app/pricing` }),
    ]);
    expect(tracks('Visibility Changed')).toContainEqual({ state: 'hidden' });
    expect(tracks('Viewport Resized').filter((p) => p.initial === true)).toHaveLength(2);
    expect(raw.filter((e) => e.type === 'page').map((e) => e.properties?.path)).toEqual([
      '/app/home',
      '/app/pricing',
      '/app/pricing',
    ]);
    expect(new Set(raw.map((e) => e.messageId)).size).toBe(raw.length);

    await settled(journey);
    const ada = await eventually(
      "ada's journey with her anonymous page views",
      () => userJourney(journey, API_TOKEN, 'ada'),
      (answer) => answer.events.filter((e) => e.type === 'PageViewed').length === 3,
    );
    expect(ada.events.map((e) => e.type).sort()).toEqual(['PageViewed', 'PageViewed', 'PageViewed', 'UserIdentified']);
    expect(ada.events.find((e) => e.type === 'UserIdentified')?.data).toMatchObject({ email: 'ada@example.com' });

    // one visit: the SDK's context.sessionId and the server's session agree, and it counts every raw event
    const clientSessionIds = new Set(raw.map((e) => (e as { context?: { sessionId?: string } }).context?.sessionId));
    expect(clientSessionIds.size).toBe(1);
    const sessions = await eventually(
      "ada's session with every browser event",
      async () => {
        await settled(journey);
        const response = await fetch(`${journey.url}/api/users/ada/sessions`, {
          headers: { authorization: `Bearer ${API_TOKEN}` },
        });
        return ((await response.json()) as { sessions: Record<string, unknown>[] }).sessions;
      },
      (list) => list.length === 1 && list[0]?.eventCount === raw.length,
    );
    expect(sessions[0]).toMatchObject({
      clientSessionId: [...clientSessionIds][0],
      pageViews: 3,
      entryUrl: `${site.url}/app/home`,
      // headless Chromium says HeadlessChrome: a browser under automation counts as a bot
      device: { browser: 'Chrome', os: 'Linux', type: 'bot' },
    });
    const journeyEvents = (await userJourney(journey, API_TOKEN, 'ada')).events as { sessionId?: string }[];
    expect(new Set(journeyEvents.map((e) => e.sessionId))).toEqual(new Set([sessions[0]?.sessionId]));
  });

  it('works as an ES module imported cross-origin from /sdk.mjs', async () => {
    const { journey, dataDir } = await newJourney();
    const collector = journey.url ?? '';
    const site = await newSite({
      sdkSrc: `${collector}/sdk.mjs`,
      module: true,
      init: { writeKey: WRITE_KEY, host: collector, autoCapture: false, ...FAST },
    });
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}/app/home`);
    const anonymousId = await anonymousIdOf(page);
    await page.evaluate(() => window.journey.track('Module Loaded', { ok: true }));
    const raw = await eventually(
      'the track event reaching the raw log',
      () => rawEvents(dataDir).filter((e) => e.anonymousId === anonymousId),
      (events) => events.length > 0,
    );
    expect(raw).toEqual([expect.objectContaining({ type: 'track', event: 'Module Loaded', properties: { ok: true } })]);
  });

  it('keeps events in localStorage across a reload while the collector is down, and delivers each once when it comes up', async () => {
    const port = await freePort();
    const collector = `http://127.0.0.1:${port}`;
    const manualOnly = { clicks: false, visibility: false, viewport: false };
    const site = await newSite({
      sdkSrc: '/sdk.js',
      init: { writeKey: WRITE_KEY, host: collector, autoCapture: manualOnly, ...FAST },
    });
    context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${site.url}/app/home`);
    const anonymousId = await anonymousIdOf(page);
    await page.evaluate(() => window.journey.track('Offline One'));
    await eventually(
      'two queued events',
      () => queuedIds(page),
      (ids) => ids.length === 2,
    );
    await page.reload();
    await page.evaluate(() => window.journey.track('Offline Two'));
    const queued = await eventually(
      'four queued events after the reload',
      () => queuedIds(page),
      (ids) => ids.length === 4,
    );

    const { journey, dataDir } = await newJourney(port);
    await page.evaluate(() => window.journey.identify('grace'));
    await eventually(
      'the queue draining',
      () => queuedIds(page),
      (ids) => ids.length === 0,
    );

    const raw = rawEvents(dataDir).filter((e) => e.anonymousId === anonymousId);
    expect(
      raw
        .filter((e) => e.type !== 'identify')
        .map((e) => e.messageId)
        .sort(),
    ).toEqual([...queued].sort());
    expect(raw.map((e) => e.event ?? e.type).sort()).toEqual([
      'Offline One',
      'Offline Two',
      'identify',
      'page',
      'page',
    ]);

    await settled(journey);
    const grace = await eventually(
      "grace's journey",
      () => userJourney(journey, API_TOKEN, 'grace'),
      (answer) => answer.events.length === 3,
    );
    expect(grace.events.map((e) => e.type).sort()).toEqual(['PageViewed', 'PageViewed', 'UserIdentified']);
  });
});
