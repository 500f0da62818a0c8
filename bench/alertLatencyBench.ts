import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../infrastructure/slack/fakeSlack.ts';
import { SqliteAlertStore } from '../infrastructure/sqlite/sqliteAlertStore.ts';

export type AlertLatencyRun = {
  readonly sent: number;
  readonly posted: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** ingest → outbox row (the alert projection's commit), for telling the stages apart */
  readonly raisedP50Ms: number;
  readonly raisedP99Ms: number;
  /** alerts that needed more than one attempt, and the last reason seen */
  readonly retried: number;
  readonly retryReason?: string;
};

const WRITE_KEY = 'wk_bench_0123456789';
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const now = () => performance.timeOrigin + performance.now();

/**
 * Ingest → Slack latency of sign-up alerts on the embedded path: a real Journey
 * (`journey start`: collector, mapper, projector, API, alerter) in a child process posting
 * to a fake Slack in this one, fed new sign-ups at a steady rate in 10 ms batches, so the
 * load generator and the fake do not share Journey's thread. Latency is from just before the collector request to
 * the fake Slack receiving the chat.postMessage for that user's key. Goal: p99 < 50 ms.
 */
export const alertLatencyBench = async (
  options: {
    readonly eventsPerSecond?: number;
    readonly seconds?: number;
    /** extra node flags for the Journey process, e.g. --cpu-prof */
    readonly execArgv?: readonly string[];
  } = {},
): Promise<AlertLatencyRun> => {
  const rate = options.eventsPerSecond ?? 1_000;
  const seconds = options.seconds ?? 30;
  const perTick = Math.max(1, Math.round(rate / 100));
  const dataDir = await mkdtemp(join(tmpdir(), 'journey-bench-alerts-'));
  const slack = await startFakeSlack();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    process.execPath,
    [...(options.execArgv ?? []), join(import.meta.dirname, '../bin/journey.js'), 'start'],
    {
      env: {
        ...process.env,
        PORT: String(port),
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_WRITE_KEYS: WRITE_KEY,
        JOURNEY_API_TOKEN: 'jt_bench_0123456789abcdef',
        LOG_LEVEL: 'warn',
        SLACK_BOT_TOKEN: 'xoxb-bench',
        SLACK_API_URL: slack.apiUrl,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Try it:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`journey exited with ${code}: ${out}`)));
  });
  const journey = {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  const url = `${journey.url}/v1/batch`;
  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const sentAt = new Map<string, number>();
  const requests: Promise<unknown>[] = [];
  try {
    const start = now();
    const ticks = seconds * 100;
    for (let tick = 0; tick < ticks; tick++) {
      // steady schedule: each tick at its own slot, not 10 ms after the previous one finished
      const wait = start + tick * 10 - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch = Array.from({ length: perTick }, (_, i) => {
        const userId = `bench-${tick}-${i}`;
        return {
          type: 'track',
          userId,
          event: 'Signed Up',
          messageId: `m-${userId}`,
          timestamp: new Date().toISOString(),
        };
      });
      const at = now();
      for (const e of batch) sentAt.set(`signup:${e.userId}`, at);
      requests.push(
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ batch }),
        }),
      );
    }
    await Promise.all(requests);
    const deadline = now() + 30_000;
    while (slack.messages.length < sentAt.size && now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const latencies: number[] = [];
    for (const call of slack.calls) {
      if (call.method !== 'chat.postMessage') continue;
      const key = (call.body.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;
      const sent = key === undefined ? undefined : sentAt.get(key);
      if (sent !== undefined) latencies.push(call.at - sent);
    }
    latencies.sort((a, b) => a - b);
    const alerts = new SqliteAlertStore(join(dataDir, 'alerts.db'));
    const stored = await alerts.listAlerts({ limit: sentAt.size });
    const retried = stored.filter((a) => a.attempts > 1);
    const raised = stored.map((a) => Date.parse(a.raisedAt) - (sentAt.get(a.key) ?? Number.NaN)).sort((a, b) => a - b);
    await alerts.close();
    return {
      sent: sentAt.size,
      posted: slack.messages.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1] ?? Number.NaN,
      raisedP50Ms: percentile(raised, 50),
      raisedP99Ms: percentile(raised, 99),
      retried: retried.length,
      ...(retried[0]?.lastError ? { retryReason: retried[0].lastError } : {}),
    };
  } finally {
    await journey.stop();
    await slack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};
