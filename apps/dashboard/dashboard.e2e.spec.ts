import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type JourneyConfig, loadConfig } from '../../infrastructure/config/config.ts';
import { launchChromium } from '../../testing/browser/launchChromium.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import {
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnel,
  handMadeNewSignups,
} from '../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN as API_TOKEN, journeyEnv, TEST_WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../testing/journey/pipelineSettled.ts';
import { type FakeSlack, startFakeSlack } from '../../testing/slack/fakeSlack.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { startupBanner } from '../cli/startupBanner.ts';
import { type RunningJourney, startJourney } from '../journey/startJourney.ts';

/** gitignored; the screenshot is kept for a person to look at */
const ARTIFACTS = join(import.meta.dirname, '../../.test-artifacts');
/** the hand-made funnel's days, and what the chart must show for them (worked out in handMadeDataset.ts) */
const RANGE = { from: '2026-02-28', to: '2026-03-11' };
const ninthOfMarch = { signedUp: 1, activated: 1, active: 1, inactive: 1 };
/** a page's worth of Chromium work on a 2-core machine that other test files load too */
const BROWSER_TEST_MS = 60_000;

const liveSignUp = (userId: string) => ({
  type: 'track',
  userId,
  event: 'Signed Up',
  messageId: `live-signup-${userId}`,
  timestamp: new Date().toISOString(),
  properties: { email: `${userId}@example.com` },
});

const alertStatus = async (url: string, key: string): Promise<string | undefined> => {
  const response = await fetch(`${url}/api/alerts`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  const { alerts } = (await response.json()) as { alerts: { key: string; status: string }[] };
  return alerts.find((a) => a.key === key)?.status;
};

/** the counts a bar carries, by stage */
const barNumbers = (page: Page, date: string) =>
  page.locator(`#chart .bar[data-date="${date}"]`).evaluate((bar) => {
    const d = (bar as SVGGElement).dataset;
    return {
      stages: {
        signedUp: Number(d.signedup),
        activated: Number(d.activated),
        active: Number(d.active),
        inactive: Number(d.inactive),
      },
      newSignups: Number(d.newSignups),
      total: Number(d.total),
    };
  });

/** the stage cards, as { stage: count } */
const cardNumbers = (page: Page) =>
  page.$$eval('#stage-cards .card', (cards) =>
    Object.fromEntries(cards.map((c) => [(c as HTMLElement).dataset.stage, Number((c as HTMLElement).dataset.count)])),
  );

describe('the dashboard in Chromium, against a running Journey with the hand-made dataset', () => {
  let browser: Browser;
  let slack: FakeSlack;
  let journey: RunningJourney;
  let config: JourneyConfig;
  let data: TempDataDir | undefined;
  let url: string;
  let context: BrowserContext | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    data = await tempDataDir('dashboard');
    slack = await startFakeSlack();
    config = loadConfig(journeyEnv(data.dir, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.apiUrl }));
    journey = await startJourney(config);
    url = journey.url ?? '';
    expect((await postBatch(url, TEST_WRITE_KEY, handMadeEvents())).status).toBe(200);
    // live sign-ups raise alerts (the hand-made events are too old to): one reaches Slack, one Slack refuses
    expect((await postBatch(url, TEST_WRITE_KEY, [liveSignUp('zoe')])).status).toBe(200);
    await waitUntil('the posted alert', async () => (await alertStatus(url, 'signup:zoe')) === 'posted');
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect((await postBatch(url, TEST_WRITE_KEY, [liveSignUp('yann')])).status).toBe(200);
    await waitUntil('the failed alert', async () => (await alertStatus(url, 'signup:yann')) === 'failed');
    await pipelineSettled(journey);
    browser = await launchChromium();
  }, BROWSER_TEST_MS);
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await journey?.stop();
    await slack?.close();
    await data?.remove();
  });

  const openPage = async (fragment: string): Promise<Page> => {
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    pageErrors.length = 0;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(`${url}/${fragment}`);
    return page;
  };

  it(
    'shows the funnel, the stage counts, a searched journey and the alerts; saves a screenshot',
    async () => {
      const page = await openPage(`#token=${API_TOKEN}&from=${RANGE.from}&to=${RANGE.to}&asOf=2026-03-10`);
      // the token is kept and taken out of the address bar
      expect(await page.evaluate(() => localStorage.getItem('journey.apiToken'))).toBe(API_TOKEN);
      expect(new URL(page.url()).hash).not.toContain('token');

      await page.locator('#chart .bar').first().waitFor();
      expect(await page.locator('#chart .bar').count()).toBe(12);
      expect(await barNumbers(page, '2026-03-10')).toEqual({
        stages: handMadeFunnel,
        newSignups: handMadeNewSignups,
        total: 6,
      });
      expect(await barNumbers(page, '2026-03-09')).toEqual({ stages: ninthOfMarch, newSignups: 1, total: 4 });
      // end of 28 Feb (T − W = 02-13): only carol and hank have signed up; carol's two days (02-02,
      // 02-03) are out of the window, hank's one day (02-23) is in it
      expect((await barNumbers(page, '2026-02-28')).stages).toEqual({
        signedUp: 0,
        activated: 1,
        active: 0,
        inactive: 1,
      });
      // a drawn segment's height follows its count: activated (2) is twice active (1) on the 10th
      const heights = await page.$$eval('#chart .bar[data-date="2026-03-10"] rect.seg', (rects) =>
        Object.fromEntries(rects.map((r) => [(r as SVGRectElement).dataset.stage, Number(r.getAttribute('height'))])),
      );
      expect(heights.activated).toBeCloseTo(2 * (heights.active ?? 0), 5);
      expect(
        await page.locator('#funnel-table tr[data-date="2026-03-10"] td[data-stage="activated"]').textContent(),
      ).toBe('2');

      await page.locator('#stage-cards .card[data-stage="total"]').waitFor();
      expect(await cardNumbers(page)).toEqual({ total: 6, ...handMadeFunnel, newSignups: handMadeNewSignups });
      // a day picked in the chart moves the stage counts to that day
      await page.locator('#chart .bar[data-date="2026-03-09"] rect.hit').click();
      await page.locator('#stage-cards .cards[data-as-of="2026-03-09T23:59:59.999Z"]').waitFor();
      expect(await cardNumbers(page)).toEqual({ total: 4, ...ninthOfMarch, newSignups: 1 });
      expect(await page.locator('#as-of-input').inputValue()).toBe('2026-03-09');
      await page.locator('#as-of-input').fill('2026-03-10');
      await page.locator('#stage-cards .cards[data-as-of="2026-03-10T23:59:59.999Z"]').waitFor();
      expect(await cardNumbers(page)).toEqual({ total: 6, ...handMadeFunnel, newSignups: handMadeNewSignups });

      // search by email prefix, in another case, then by id prefix; open dave's journey
      await page.locator('#search-input').fill('ALICE@');
      await page.locator('#search-results [data-open-user="alice"]').waitFor();
      expect(await page.locator('#search-results [data-open-user]').count()).toBe(1);
      await page.locator('#search-input').fill('da');
      await page.locator('#search-results [data-open-user="dave"]').click();
      await page.locator('#journey .journey[data-user-id="dave"]').waitFor();
      const types = await page.$$eval('#journey .event', (events) =>
        events.map((e) => (e as HTMLElement).dataset.type),
      );
      expect(types).toEqual(handMadeDaveJourney);
      expect(await page.locator('#journey .who').textContent()).toContain('dave@example.com');
      expect(await page.locator('#journey .event[data-type="ErrorEncountered"]').textContent()).toContain(
        'UPSTREAM_TIMEOUT',
      );
      // the timeline is grouped by session, oldest first, each with its start, duration and pages
      const { sessions } = (await (
        await fetch(`${url}/api/users/dave/sessions`, { headers: { authorization: `Bearer ${API_TOKEN}` } })
      ).json()) as { sessions: { sessionId: string; pageViews: number }[] };
      const groups = await page.$$eval('#journey .timeline-session', (items) =>
        items.map((i) => ({
          sessionId: (i as HTMLElement).dataset.sessionId,
          events: i.querySelectorAll('.event').length,
          head: i.querySelector('h4')?.textContent ?? '',
        })),
      );
      expect(sessions.length).toBeGreaterThan(1);
      expect(groups.map((g) => g.sessionId)).toEqual([...sessions].reverse().map((s) => s.sessionId));
      expect(groups.reduce((sum, g) => sum + g.events, 0)).toBe(handMadeDaveJourney.length);
      for (const [i, session] of [...sessions].reverse().entries())
        expect(groups[i]?.head).toMatch(new RegExp(`\\b${session.pageViews} pages? ·`));

      // alerts, newest first, with their delivery
      const alerts = await page.$$eval('#alerts .alert', (items) =>
        items.map((i) => ({ key: (i as HTMLElement).dataset.key, status: (i as HTMLElement).dataset.status })),
      );
      expect(alerts).toEqual([
        { key: 'signup:yann', status: 'failed' },
        { key: 'signup:zoe', status: 'posted' },
      ]);
      expect(await page.locator('#alerts .alert[data-key="signup:yann"] .error-text').textContent()).toContain(
        'channel_not_found',
      );

      await page.mouse.move(0, 0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      // a phone's width: one column, nothing cut off sideways
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-narrow.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'asks for the token when it has none or a wrong one, and remembers the right one',
    async () => {
      const page = await openPage(`#from=${RANGE.from}&to=${RANGE.to}&asOf=2026-03-10`);
      const dialog = page.locator('#token-dialog');
      await dialog.waitFor();
      await page.locator('#token-input').fill('jt_not_the_token');
      await page.locator('#token-form button[type="submit"]').click();
      await page.locator('#token-reason:not([hidden])').waitFor();
      expect(await page.locator('#token-reason').textContent()).toContain('refused');
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-token.png') });

      await page.locator('#token-input').fill(API_TOKEN);
      await page.locator('#token-form button[type="submit"]').click();
      await page.locator('#stage-cards .card[data-stage="total"]').waitFor();
      expect(await dialog.isVisible()).toBe(false);
      expect(await cardNumbers(page)).toMatchObject(handMadeFunnel);

      await page.reload();
      await page.locator('#stage-cards .card[data-stage="total"]').waitFor();
      expect(await dialog.isVisible()).toBe(false);
      await page.locator('#forget-token').click();
      await dialog.waitFor();
      expect(await page.evaluate(() => localStorage.getItem('journey.apiToken'))).toBeNull();
      // the wrong token's 401s are expected console errors of the browser; nothing else may fail
      expect(pageErrors.filter((e) => !e.includes('401'))).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    "opens signed in from the start-up banner's dashboard link",
    async () => {
      const linkIn = (banner: string) => /^ {2}dashboard +(\S+)$/m.exec(banner)?.[1];
      // the token is printed only by the start that generated it (stdout ends up in logs)
      expect(linkIn(startupBanner(config, journey))).toBe(`${url}/`);
      const generated = { ...journey, credentials: { ...journey.credentials, generated: true } };
      const link = linkIn(startupBanner(config, generated));
      expect(link).toBe(`${url}/#token=${API_TOKEN}`);
      context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(link ?? '');
      await page.locator('#stage-cards .card[data-stage="total"]').waitFor();
      expect(await page.locator('#token-dialog').isVisible()).toBe(false);
      expect(new URL(page.url()).hash).not.toContain('token');
      // by default the last 30 UTC days; a quick range redraws the chart and keeps the view in the fragment
      await page.locator('#chart .bar').first().waitFor();
      expect(await page.locator('#chart .bar').count()).toBe(30);
      await page.locator('[data-range-days="7"]').click();
      await page.waitForFunction(() => document.querySelectorAll('#chart .bar').length === 7);
      const today = new Date().toISOString().slice(0, 10);
      expect(await page.locator('#chart .bar').last().getAttribute('data-date')).toBe(today);
      expect(new URL(page.url()).hash).toContain(`to=${today}`);
    },
    BROWSER_TEST_MS,
  );

  it('serves the page with its content security policy, and revalidates it by ETag', async () => {
    const first = await fetch(`${url}/`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.get('content-security-policy')).toContain("default-src 'self'");
    const etag = first.headers.get('etag') ?? '';
    expect((await fetch(`${url}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const script = await fetch(`${url}/dashboard/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('journey.apiToken');
  });
});
