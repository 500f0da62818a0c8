import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { WEBHOOK_SECRET } from '../../testing/automations/automationsFixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/automations/webhookReceiver.ts';
import { launchChromium } from '../../testing/browser/launchChromium.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import { TEST_API_TOKEN as API_TOKEN, journeyEnv, TEST_WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { type RunningJourney, startJourney } from '../journey/startJourney.ts';

/** gitignored; the screenshot is kept for a person to look at */
const ARTIFACTS = join(import.meta.dirname, '../../.test-artifacts');
/** a page's worth of Chromium work on a 2-core machine that other test files load too */
const BROWSER_TEST_MS = 60_000;
/** two attempts, then `failed`: the first retry waits 0.5–1 s (the automator's backoff) */
const MAX_ATTEMPTS = '2';

type Delivery = { id: string; status: string; attempts: number; lastError?: string };

const deliveries = async (url: string): Promise<Delivery[]> => {
  const response = await fetch(`${url}/api/automations/deliveries`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  return ((await response.json()) as { deliveries: Delivery[] }).deliveries;
};

describe('the Automations panel in Chromium, against a running Journey and a real webhook receiver', () => {
  let browser: Browser;
  let receiver: WebhookReceiver;
  let journey: RunningJourney;
  let data: TempDataDir | undefined;
  let context: BrowserContext | undefined;
  let url: string;
  let failedId: string;

  beforeAll(async () => {
    data = await tempDataDir('dashboard-automations');
    receiver = await startWebhookReceiver();
    // the receiver is down (500) until the test says otherwise
    receiver.answer(() => ({ status: 500 }));
    const automationsFile = join(data.dir, 'automations.json');
    await writeFile(
      automationsFile,
      JSON.stringify({
        version: 1,
        automations: [
          {
            id: 'welcome-email',
            when: { event: 'UserSignedUp' },
            do: { webhook: { url: receiver.url, secret: WEBHOOK_SECRET } },
          },
        ],
      }),
    );
    journey = await startJourney(
      loadConfig(
        journeyEnv(data.dir, { JOURNEY_AUTOMATIONS: automationsFile, JOURNEY_AUTOMATION_MAX_ATTEMPTS: MAX_ATTEMPTS }),
      ),
    );
    url = journey.url ?? '';
    // a live sign-up (a user id that needs escaping), so the automation fires
    const userId = `ada<b>&"`;
    const signUp = {
      type: 'track',
      userId,
      event: 'Signed Up',
      messageId: 'automation-signup-ada',
      timestamp: new Date().toISOString(),
      properties: { email: 'ada@example.com' },
    };
    expect((await postBatch(url, TEST_WRITE_KEY, [signUp])).status).toBe(200);
    let seen: Delivery[] = [];
    await waitUntil(
      'the delivery to fail after its attempts',
      async () => {
        seen = await deliveries(url);
        return seen[0]?.status === 'failed';
      },
      { lastSeen: () => seen },
    );
    failedId = seen[0]?.id ?? '';
    browser = await launchChromium();
  }, BROWSER_TEST_MS);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await journey?.stop();
    await receiver?.close();
    await data?.remove();
  });

  const openPage = async (pageErrors: string[]): Promise<Page> => {
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(`${url}/#token=${API_TOKEN}`);
    return page;
  };

  it(
    'shows the failed delivery with its error; Retry sends it again and the row turns delivered',
    async () => {
      expect(receiver.received.map((r) => r.attempt)).toEqual([1, 2]);
      const pageErrors: string[] = [];
      const page = await openPage(pageErrors);
      const automation = page.locator('#automations .automation[data-automation-id="welcome-email"]');
      await automation.waitFor();
      expect(await automation.locator('[data-count="failed"]').textContent()).toBe('1 failed');
      expect(await automation.textContent()).toContain(receiver.url);

      // the row is found by its id through the DOM, not a selector, as the id holds a colon
      const row = page.locator('#automations tr.delivery').filter({ hasText: failedId });
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('failed');
      expect(await row.getAttribute('class')).toContain('delivery-failed');
      expect(await row.locator('.last-error').textContent()).toContain('answered HTTP 500');
      expect(await row.locator('[data-attempts]').textContent()).toBe(MAX_ATTEMPTS);
      // what the sender put in is shown as text
      expect(await row.locator('[data-open-user]').textContent()).toBe('ada<b>&"');

      await mkdir(ARTIFACTS, { recursive: true });
      await page.locator('#automations-panel').screenshot({ path: join(ARTIFACTS, 'dashboard-automations.png') });

      receiver.answer(() => ({ status: 200 }));
      await row.locator('button[data-retry]').click();
      const delivered = page.locator('#automations tr.delivery[data-status="delivered"]').filter({ hasText: failedId });
      await delivered.waitFor();
      expect(await delivered.locator('button[data-retry]').count()).toBe(0);
      expect(await delivered.locator('[data-attempts]').textContent()).toBe('1');
      expect(receiver.acceptedIds()).toEqual(new Set([failedId]));
      expect(receiver.received.map((r) => r.id)).toEqual([failedId, failedId, failedId]);
      // after the row settles the panel reloads, with the counts moved
      await page.locator('#automations [data-count="delivered"]', { hasText: '1 delivered' }).waitFor();
      expect(await automation.locator('[data-count="failed"]').textContent()).toBe('0 failed');
      expect((await deliveries(url)).map((d) => d.status)).toEqual(['delivered']);
      expect(pageErrors).toEqual([]);
    },
    BROWSER_TEST_MS,
  );
});
