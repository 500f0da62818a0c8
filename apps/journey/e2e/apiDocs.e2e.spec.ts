import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DailySeries } from '../../../application/queries/dailySeries.ts';
import { JourneyQueries } from '../../../application/queries/journeyQueries.ts';
import { apiDescription } from '../../../infrastructure/http/apiDescription.ts';
import { registerApiRoutes } from '../../../infrastructure/http/apiRoutes.ts';
import { createHttpServer } from '../../../infrastructure/http/createHttpServer.ts';
import { launchChromium } from '../../../testing/browser/launchChromium.ts';
import { MemoryAlertStore } from '../../../testing/memory/memoryAlertStore.ts';
import { MemoryReadModels } from '../../../testing/memory/memoryReadModels.ts';

const app = createHttpServer({ logger: false });
let browser: Browser;
let base: string;

beforeAll(async () => {
  const readModels = new MemoryReadModels();
  const alerts = new MemoryAlertStore();
  registerApiRoutes(app, {
    queries: new JourneyQueries(readModels, 15),
    apiToken: 'jt_test_token_0123456789',
    clock: { now: () => Date.now() },
    alerts,
    series: new DailySeries(readModels, alerts),
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app.close();
});

describe('the API docs page in Chromium', () => {
  it('renders every documented operation from /api/openapi.json, with nothing fetched from the internet', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(base) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    await page.goto(`${base}/api/docs`);
    await page.waitForSelector('.opblock-summary-path');
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    const expected = apiDescription.map((r) => r.path.replace(/:([A-Za-z]+)/g, '{$1}'));
    expect(paths.map((p) => p.replace(/\u200b/g, '')).sort()).toEqual([...expected].sort());
    expect(outside).toEqual([]);
    const artifacts = join(tmpdir(), 'journey-test-artifacts');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'api-docs.png'), fullPage: true });
  });
});
