import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../testing/browser/launchChromium.ts';
import { startTestSite, type TestSite } from '../../testing/browser/testSite.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY as WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { startTestJourney } from '../../testing/journey/startTestJourney.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import type { Journey } from '../browser-sdk/journey.ts';
import type { RunningJourney } from '../journey/startJourney.ts';

declare global {
  interface Window {
    journey: Journey;
  }
}

/** the promise: what a visitor does shows in the explorer within this */
const LIVE_MS = 2_000;

/** the explorer's row for an event, once it shows with this status */
const row = (dashboard: Page, text: string, status: string) =>
  dashboard.locator(`#live-events .raw-event[data-status="${status}"]`, { hasText: text });

describe('the live events page in Chromium, following a site instrumented with the browser SDK', () => {
  let browser: Browser;
  let journey: RunningJourney;
  let site: TestSite;
  let data: TempDataDir;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    data = await tempDataDir('explorer');
    journey = await startTestJourney(data.dir);
    const collector = journey.url ?? '';
    site = await startTestSite({
      sdkSrc: `${collector}/sdk.js`,
      init: { writeKey: WRITE_KEY, host: collector, flushIntervalMs: 50, retryBaseMs: 100, retryMaxMs: 400 },
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.close();
    await journey?.stop();
    await data?.remove();
  });

  const openDashboard = async (fragment: string): Promise<Page> => {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${journey.url}/#token=${API_TOKEN}&${fragment}`);
    return page;
  };

  it('shows clicks and page views live with their mapping, pauses, filters and explains a rejection', async () => {
    const dashboard = await openDashboard('view=live');
    await dashboard.locator('#live-state[data-state="live"]').waitFor();
    expect(await dashboard.locator('#overview-view').isHidden()).toBe(true);

    const shop = await context.newPage();
    await shop.goto(`${site.url}/app/home`);
    await row(dashboard, 'page /app/home', 'mapped').waitFor({ timeout: LIVE_MS });
    await shop.click('#buy');
    await row(dashboard, 'Element Clicked', 'unmapped').waitFor({ timeout: LIVE_MS });
    await shop.click('#pricing-link');
    const pricing = row(dashboard, 'page /app/pricing', 'mapped');
    await pricing.waitFor({ timeout: LIVE_MS });

    // what a page view became: its journey event and the rule, beside its JSON
    await pricing.click();
    const detail = dashboard.locator('#live-detail .raw-detail');
    await expect.poll(() => detail.locator('[data-journey-event="PageViewed"]').textContent()).toContain('page-viewed');
    expect(JSON.parse((await detail.locator('.raw-json').textContent()) ?? '{}')).toMatchObject({
      type: 'page',
      properties: { path: '/app/pricing' },
    });

    // paused, the list stands still and counts what waits; resumed, it shows it
    await dashboard.click('#live-pause');
    const clicksBefore = await row(dashboard, 'Element Clicked', 'unmapped').count();
    await shop.click('#buy');
    await dashboard.locator('#live-state[data-state="paused"]', { hasText: 'new' }).waitFor({ timeout: LIVE_MS });
    expect(await row(dashboard, 'Element Clicked', 'unmapped').count()).toBe(clicksBefore);
    await dashboard.click('#live-pause');
    await expect.poll(() => row(dashboard, 'Element Clicked', 'unmapped').count()).toBe(clicksBefore + 1);

    // a rejected event, found by its status, with the rule's reason
    await dashboard.selectOption('#live-filters select[name="status"]', 'rejected');
    await dashboard.click('#live-filters button[type="submit"]');
    const bad = { type: 'track', userId: 'mallory', event: 'Signed Up', properties: { email: 'x'.repeat(5000) } };
    expect((await postBatch(journey.url ?? '', WRITE_KEY, [bad])).status).toBe(200);
    const rejected = row(dashboard, 'Signed Up', 'rejected');
    await rejected.waitFor({ timeout: LIVE_MS });
    expect(await dashboard.locator('#live-events .raw-event').count()).toBe(1);
    await rejected.click();
    expect(await detail.locator('.reject-reason').textContent()).toMatch(
      /rule track-signed-up produced invalid UserSignedUp data/,
    );
    expect(dashboard.url()).toContain('live.status=rejected');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("links a user's journey to their raw events, the anonymous ones before identify included", async () => {
    const shop = await context.newPage();
    await shop.goto(`${site.url}/app/welcome`);
    await shop.waitForFunction(() => window.journey?.anonymousId() !== undefined);
    await shop.evaluate(() => window.journey.identify('ada', { email: 'ada@example.com' }));
    await shop.evaluate(() => window.journey.track('Signed Up', { email: 'ada@example.com' }));

    const dashboard = await openDashboard('user=ada');
    const link = dashboard.locator('#journey [data-live-user="ada"]');
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await expect.poll(() => dashboard.locator('#live-filters input[name="userId"]').inputValue()).toBe('ada');
    await row(dashboard, 'page /app/welcome', 'mapped').waitFor({ timeout: LIVE_MS });
    await row(dashboard, 'Signed Up', 'mapped').waitFor({ timeout: LIVE_MS });
    expect(await row(dashboard, 'page /app/welcome', 'mapped').textContent()).toContain('ada (anonymous)');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("groups an SDK visitor's journey into one session, and into a second after a gap", async () => {
    const shop = await context.newPage();
    await shop.goto(`${site.url}/app/start`);
    await shop.waitForFunction(() => window.journey?.anonymousId() !== undefined);
    await shop.evaluate(() => window.journey.identify('grace', { email: 'grace@example.com' }));
    await shop.evaluate(() => window.journey.track('Signed Up', { email: 'grace@example.com' }));

    const sessions = (dashboard: Page) => dashboard.locator('#journey .timeline-session');
    const dashboard = await openDashboard('user=grace');
    await expect.poll(() => sessions(dashboard).count(), { timeout: 10_000 }).toBe(1);

    // two hours earlier, past any session timeout: a session of its own
    const earlier = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const visit = { type: 'page', userId: 'grace', name: 'Docs', timestamp: earlier, properties: { path: '/docs' } };
    expect((await postBatch(journey.url ?? '', WRITE_KEY, [visit])).status).toBe(200);
    await expect
      .poll(
        async () => {
          await dashboard.reload();
          await dashboard.locator('#journey .journey[data-user-id="grace"]').waitFor();
          return sessions(dashboard).count();
        },
        { timeout: 10_000 },
      )
      .toBe(2);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
