import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AlertStore } from '../application/ports/alertStore/alertStore.ts';
import { PostgresAlertStore } from '../infrastructure/postgres/alertStore/postgresAlertStore.ts';
import { connectPostgres } from '../infrastructure/postgres/connectPostgres.ts';
import { SqliteAlertStore } from '../infrastructure/sqlite/alertStore/sqliteAlertStore.ts';
import { type AlertStages, alertStagesOf, percentile } from './alertStages.ts';
import { commitLatency } from './baselines.ts';
import { startFakeSlackInThread } from './fakeSlackInThread.ts';
import { startJourneyChild } from './journeyChild.ts';

export type AlertLatencyRun = {
  readonly sent: number;
  readonly posted: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** the alerts sent during the warm-up before the measured seconds: a cold start (sockets, JIT) */
  readonly coldStart: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  /** ingest → outbox row (the alert projection's commit), for telling the stages apart */
  readonly raisedP50Ms: number;
  readonly raisedP99Ms: number;
  /** alerts that needed more than one attempt, and the last reason seen */
  readonly retried: number;
  readonly retryReason?: string;
  /** p99 of the alerts sent in each 5 s of the measured seconds: a tail left by the cold start shows first */
  readonly p99ByWindow: readonly number[];
  /** p50/p99/max of each hop, so the total is explained */
  readonly stages: AlertStages;
  /** the baseline, measured on the same disk just before the run: one durable (FULL) commit, and one NORMAL */
  readonly fullCommit: ReturnType<typeof commitLatency>;
  readonly normalCommit: ReturnType<typeof commitLatency>;
  /**
   * the load generator's event-loop delay while sending (p99, max): a stall here sends late,
   * and the send time, taken just before each request, then hides it
   */
  readonly benchLoopDelay: { readonly p99Ms: number; readonly maxMs: number };
};

const WRITE_KEY = 'wk_bench_0123456789';

const withAlertStore = async <T>(
  dataDir: string,
  databaseUrl: string | undefined,
  use: (alerts: AlertStore) => Promise<T>,
): Promise<T> => {
  if (databaseUrl === undefined) {
    const alerts = new SqliteAlertStore(join(dataDir, 'alerts.db'));
    try {
      return await use(alerts);
    } finally {
      await alerts.close();
    }
  }
  const pool = await connectPostgres({ url: databaseUrl, poolSize: 1 });
  const alerts = new PostgresAlertStore(pool);
  try {
    return await use(alerts);
  } finally {
    await alerts.close();
    await pool.end();
  }
};
const WARM_UP_S = 5;
const now = () => performance.timeOrigin + performance.now();

/**
 * Ingest → Slack latency of sign-up alerts: `journey start` in a child process posting to a fake Slack
 * in a thread of this one, so neither the load generator nor the fake shares Journey's threads.
 * Measured after a warm-up at the same rate, reported apart as the cold start.
 */
export const alertLatencyBench = async (
  options: {
    readonly eventsPerSecond?: number;
    readonly seconds?: number;
    /** extra node flags for the Journey process, e.g. --cpu-prof */
    readonly execArgv?: readonly string[];
    /** the read side and alert store in this PostgreSQL database (JOURNEY_DATABASE_URL); unset: SQLite */
    readonly databaseUrl?: string;
  } = {},
): Promise<AlertLatencyRun> => {
  const rate = options.eventsPerSecond ?? 1_000;
  const seconds = options.seconds ?? 30;
  const perTick = Math.max(1, Math.round(rate / 100));
  const dataDir = await mkdtemp(join(tmpdir(), 'journey-bench-alerts-'));
  const fullCommit = commitLatency(join(dataDir, 'baseline-full.db'), 'FULL', 2_000);
  const normalCommit = commitLatency(join(dataDir, 'baseline-normal.db'), 'NORMAL', 1_000);
  const slack = await startFakeSlackInThread();
  const journey = await startJourneyChild(
    {
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_WRITE_KEYS: WRITE_KEY,
      JOURNEY_API_TOKEN: 'jt_bench_0123456789abcdef',
      LOG_LEVEL: 'warn',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: slack.apiUrl,
      ...(options.databaseUrl === undefined ? {} : { JOURNEY_DATABASE_URL: options.databaseUrl }),
    },
    options.execArgv,
  ).catch(async (error: unknown) => {
    await slack.close();
    throw error;
  });
  const url = `${journey.url}/v1/batch`;
  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const sentAt = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const requests: Promise<unknown>[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  let warmUpEnd = Number.POSITIVE_INFINITY;
  try {
    loopDelay.enable();
    const start = now();
    warmUpEnd = start + WARM_UP_S * 1000;
    const ticks = (WARM_UP_S + seconds) * 100;
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
        }).then(async (response) => {
          await response.arrayBuffer();
          const answered = now();
          if (response.ok) for (const e of batch) answeredAt.set(`signup:${e.userId}`, answered);
        }),
      );
    }
    await Promise.all(requests);
    const deadline = now() + 30_000;
    while (slack.postedAt.size < sentAt.size && now() < deadline) await new Promise((r) => setTimeout(r, 50));
    loopDelay.disable();
    const postedAt = slack.postedAt;
    const latencies: number[] = [];
    const cold: number[] = [];
    const windows: number[][] = [];
    for (const [key, at] of postedAt) {
      const sent = sentAt.get(key);
      if (sent === undefined) continue;
      (sent >= warmUpEnd ? latencies : cold).push(at - sent);
      if (sent < warmUpEnd) continue;
      const window = Math.floor((sent - warmUpEnd) / 5_000);
      const list = windows[window] ?? [];
      list.push(at - sent);
      windows[window] = list;
    }
    cold.sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    const stored = await withAlertStore(dataDir, options.databaseUrl, (alerts) =>
      alerts.listAlerts({ limit: sentAt.size }),
    );
    const retried = stored.filter((a) => a.attempts > 1);
    const raisedAt = new Map(stored.map((a) => [a.key, Date.parse(a.raisedAt)]));
    const raised = stored.map((a) => Date.parse(a.raisedAt) - (sentAt.get(a.key) ?? Number.NaN)).sort((a, b) => a - b);
    return {
      sent: sentAt.size,
      posted: slack.posts(),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1] ?? Number.NaN,
      p99ByWindow: Array.from(windows, (w = []) =>
        percentile(
          w.sort((a, b) => a - b),
          99,
        ),
      ),
      coldStart: { p50Ms: percentile(cold, 50), p99Ms: percentile(cold, 99), maxMs: cold.at(-1) ?? Number.NaN },
      raisedP50Ms: percentile(raised, 50),
      raisedP99Ms: percentile(raised, 99),
      retried: retried.length,
      ...(retried[0]?.lastError ? { retryReason: retried[0].lastError } : {}),
      stages: alertStagesOf(dataDir, sentAt, answeredAt, raisedAt, postedAt),
      fullCommit,
      normalCommit,
      benchLoopDelay: { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 },
    };
  } finally {
    await journey.stop();
    await slack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};
