import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoDataset } from '../../apps/cli/demo/demoDataset.ts';
import { runDemo } from '../../apps/cli/demo/runDemo.ts';
import { type RunningJourney, startJourney } from '../../apps/journey/startJourney.ts';
import { runReportCommand } from '../../apps/reporter/runReportCommand.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { CHROMIUM, launchChromium } from '../browser/launchChromium.ts';
import { pipelineSettled } from '../journey/pipelineSettled.ts';
import { type FakeSlack, startFakeSlack } from '../slack/fakeSlack.ts';

/**
 * `npm run docs:images`: the pictures in README.md and docs/, made from a running Journey on
 * the demo dataset. The dashboard is screenshot in Debian's Chromium; the first page of each
 * stage's daily report PDF is turned into a PNG by pdftoppm (poppler-utils).
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = join(root, 'docs/images');
/** a fixed day, so the pictures only change when the product does */
const DAY = '2026-03-10';
const SEED = 42;
const USERS = 300;
const WRITE_KEY = 'wk_docs_images_0123';
const API_TOKEN = 'jt_docs_images_0123456789';
const MAX_KB = 300;

const say = (line: string) => process.stdout.write(`docs:images: ${line}\n`);

const requireTools = (): void => {
  const pdftoppm = spawnSync('pdftoppm', ['-v'], { stdio: 'ignore' });
  if (pdftoppm.error) {
    throw new Error(
      'pdftoppm is missing (it turns the report PDFs into PNGs): run apt-get install -y poppler-utils (as root), then npm run docs:images again',
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM} (it screenshots the dashboard): run apt-get install -y chromium (as root), then npm run docs:images again`,
    );
  }
};

const postBatch = async (url: string, batch: readonly Record<string, unknown>[]): Promise<void> => {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
    },
    body: JSON.stringify({ batch }),
  });
  if (!response.ok) throw new Error(`the collector answered ${response.status}: ${await response.text()}`);
};

/** The demo day is history, which raises no alerts; a few events of today fill "Recent alerts". */
const liveEvents = (): Record<string, unknown>[] => {
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const track = (userId: string, event: string, minutesAgo: number, properties: Record<string, unknown>) => ({
    type: 'track',
    userId,
    event,
    messageId: `docs-live-${userId}-${event}`,
    timestamp: at(minutesAgo),
    properties,
  });
  return [
    track('grace', 'Signed Up', 9, { email: 'grace@example.com', name: 'Grace Hopper' }),
    track('grace', 'Deployment Started', 6, { deploymentId: 'dep_grace_1', projectId: 'prj_grace' }),
    track('grace', 'Deployment Failed', 4, { deploymentId: 'dep_grace_1', error: 'build step exited with code 1' }),
    track('linus', 'Signed Up', 3, { email: 'linus@example.com', name: 'Linus Torvalds' }),
    {
      type: 'track',
      event: 'api.request',
      userId: 'linus',
      messageId: 'docs-live-linus-503',
      timestamp: at(1),
      properties: { method: 'GET', path: '/projects', status: 503, errorCode: 'UPSTREAM_TIMEOUT' },
    },
  ];
};

/** every alert delivered (or refused), so the picture shows no half-way states */
const alertsSettled = async (url: string, count: number): Promise<void> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${url}/api/alerts`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const { alerts } = (await response.json()) as { alerts: { status: string }[] };
    if (alerts.length >= count && alerts.every((a) => a.status !== 'pending')) return;
    if (Date.now() > deadline) throw new Error(`the alerts were not delivered in 30 s: ${JSON.stringify(alerts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** a demo user with a failed deployment and a short journey (a smaller picture): a journey worth showing */
const userToShow = (): string => {
  const dataset = demoDataset({ day: DAY, users: USERS, seed: SEED });
  const counts = new Map<string, { events: number; failed: boolean }>();
  for (const e of dataset.events) {
    if (typeof e.userId !== 'string') continue;
    const c = counts.get(e.userId) ?? { events: 0, failed: false };
    c.events++;
    if (e.event === 'Deployment Failed') c.failed = true;
    counts.set(e.userId, c);
  }
  const distance = (c: { events: number; failed: boolean }) => (c.failed ? 0 : 100) + Math.abs(c.events - 7);
  const [best] = [...counts].sort(([, a], [, b]) => distance(a) - distance(b));
  if (!best) throw new Error('the demo dataset has no users');
  return best[0];
};

const screenshotDashboard = async (url: string, userId: string): Promise<void> => {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const from = new Date(Date.parse(`${DAY}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    await page.goto(`${url}/#token=${API_TOKEN}&from=${from}&to=${DAY}&asOf=${DAY}&user=${userId}`);
    await page.locator('#chart .bar').first().waitFor();
    await page.locator('#stage-cards .card[data-stage="total"]').waitFor();
    await page.locator(`#journey .journey[data-user-id="${userId}"]`).waitFor();
    await page.locator('#alerts .alert').first().waitFor();
    await page.mouse.move(0, 0);
    // the demo configures no automations: their empty panel would only add height (and bytes)
    await page.locator('#automations-panel').evaluate((panel) => panel.remove());
    await page.screenshot({ path: join(IMAGES, 'dashboard.png'), fullPage: true });
  } finally {
    await browser.close();
  }
};

const reportPages = async (dataDir: string): Promise<string[]> => {
  const out = join(dataDir, 'report-out');
  // the same command as `journey report run --date DAY --dry-run --out DIR`: PDFs, nothing recorded or posted
  const config = loadConfig({ JOURNEY_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  await runReportCommand(config, { date: DAY, dryRun: true, out }, (line) => say(line));
  const pdfs = (await readdir(out)).filter((f) => f.endsWith('.pdf')).sort();
  if (pdfs.length === 0) throw new Error(`the report wrote no PDF to ${out}`);
  const pngs: string[] = [];
  for (const pdf of pdfs) {
    const stage = pdf.replace(/^funnel-\d{4}-\d{2}-\d{2}-/, '').replace(/\.pdf$/, '');
    const prefix = join(IMAGES, `report-${stage}`);
    const run = spawnSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(out, pdf),
      prefix,
    ]);
    if (run.status !== 0) throw new Error(`pdftoppm failed on ${pdf}: ${run.stderr.toString().trim()}`);
    pngs.push(`${prefix}.png`);
  }
  return pngs;
};

const main = async (): Promise<void> => {
  requireTools();
  await mkdir(IMAGES, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'journey-docs-images-'));
  let slack: FakeSlack | undefined;
  let journey: RunningJourney | undefined;
  try {
    slack = await startFakeSlack();
    const config = loadConfig({
      PORT: '0',
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_WRITE_KEYS: `web:${WRITE_KEY}`,
      JOURNEY_API_TOKEN: API_TOKEN,
      LOG_LEVEL: 'silent',
      JOURNEY_SQLITE_POLL_MS: '20',
      SLACK_BOT_TOKEN: 'xoxb-docs-images',
      SLACK_API_URL: slack.apiUrl,
    });
    journey = await startJourney(config, ['collector', 'mapper', 'projector', 'api', 'alerter']);
    const url = journey.url ?? '';
    say(`Journey on ${url}, data in ${dataDir}`);
    const ok = await runDemo({
      url,
      writeKey: WRITE_KEY,
      apiToken: API_TOKEN,
      users: USERS,
      seed: SEED,
      day: DAY,
      windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
      print: (line) => {
        if (line.trim() !== '') say(line.trim());
      },
    });
    if (!ok) throw new Error('the demo funnel did not match the generated data');
    await postBatch(url, liveEvents());
    await pipelineSettled(journey);
    await alertsSettled(url, 4); // 2 sign-ups, 1 failed deployment, 1 error
    await screenshotDashboard(url, userToShow());
    await journey.stop();
    journey = undefined;
    const pngs = [join(IMAGES, 'dashboard.png'), ...(await reportPages(dataDir))];
    for (const png of pngs) {
      const kb = Math.round((await stat(png)).size / 1024);
      // pictures live in git: keep each one small
      say(`${png.slice(root.length)} ${kb} KB${kb > MAX_KB ? ` — over ${MAX_KB} KB, make the picture smaller` : ''}`);
    }
  } finally {
    await journey?.stop();
    await slack?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};

try {
  await main();
} catch (error) {
  process.stderr.write(`docs:images: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
