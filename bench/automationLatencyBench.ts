import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SqliteAutomationStore } from '../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import { WEBHOOK_SECRET } from '../testing/automations/automationsFixtures.ts';
import { type AlertStages, alertStagesOf, formatHop, percentile } from './alertStages.ts';
import { commitLatency } from './baselines.ts';
import { startJourneyChild } from './journeyChild.ts';
import { startWebhookReceiverInThread } from './webhookReceiverInThread.ts';

/** Infinity when more than that share of the webhooks never arrived */
type Percentiles = { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };

export type AutomationLatencyRun = Percentiles & {
  readonly sent: number;
  /** distinct users whose webhook arrived (verified) */
  readonly received: number;
  /** verified webhooks, repeats included: above `received` when a delivery was retried */
  readonly webhooks: number;
  readonly badSignatures: number;
  /** batch requests that failed or were refused, and the first reason: their sign-ups count as never received */
  readonly failedRequests: number;
  readonly requestError?: string;
  /** the triggers sent during the warm-up before the measured seconds: a cold start (sockets, JIT) */
  readonly coldStart: Percentiles;
  /** deliveries that needed more than one attempt, and the last reason seen */
  readonly retried: number;
  readonly retryReason?: string;
  /**
   * each hop's p50/p99/max: sent → collector, sent → 200, received → mapped, mapped → outbox row
   * (`mappedToRaised`), outbox row → webhook received (`raisedToPosted`)
   */
  readonly stages: AlertStages;
  /** the baseline, measured on the same disk just before the run: one durable (FULL) commit, and one NORMAL */
  readonly fullCommit: ReturnType<typeof commitLatency>;
  readonly normalCommit: ReturnType<typeof commitLatency>;
  /** the load generator's event-loop delay while sending: a stall here sends late and hides in the send time */
  readonly benchLoopDelay: { readonly p99Ms: number; readonly maxMs: number };
};

const WRITE_KEY = 'wk_bench_0123456789';
const WARM_UP_S = 5;
const AUTOMATION_ID = 'bench-welcome';
const now = () => performance.timeOrigin + performance.now();

const percentiles = (sorted: readonly number[]): Percentiles => ({
  p50Ms: percentile(sorted, 50),
  p99Ms: percentile(sorted, 99),
  maxMs: sorted.at(-1) ?? Number.NaN,
});

/**
 * Trigger → webhook received for a webhook automation on sign-up: `journey start` in a child
 * process with JOURNEY_AUTOMATIONS set, sign-ups sent at a steady rate, and a receiver in a
 * thread of this process that verifies each signature and timestamps arrival. The clock starts
 * when the bench sends the sign-up. Measured after a warm-up at the same rate, reported apart
 * as the cold start.
 */
export const automationLatencyBench = async (
  options: {
    readonly eventsPerSecond?: number;
    readonly seconds?: number;
    /** extra node flags for the Journey process, e.g. --cpu-prof */
    readonly execArgv?: readonly string[];
  } = {},
): Promise<AutomationLatencyRun> => {
  const rate = options.eventsPerSecond ?? 1_000;
  const seconds = options.seconds ?? 30;
  const perTick = Math.max(1, Math.round(rate / 100));
  const dataDir = await mkdtemp(join(tmpdir(), 'journey-bench-automations-'));
  const fullCommit = commitLatency(join(dataDir, 'baseline-full.db'), 'FULL', 2_000);
  const normalCommit = commitLatency(join(dataDir, 'baseline-normal.db'), 'NORMAL', 1_000);
  const receiver = await startWebhookReceiverInThread(WEBHOOK_SECRET);
  const automationsFile = join(dataDir, 'automations.json');
  await writeFile(
    automationsFile,
    JSON.stringify({
      version: 1,
      automations: [
        {
          id: AUTOMATION_ID,
          when: { event: 'UserSignedUp' },
          do: { webhook: { url: receiver.url, secret: WEBHOOK_SECRET } },
        },
      ],
    }),
  );
  const journey = await startJourneyChild(
    {
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_WRITE_KEYS: WRITE_KEY,
      JOURNEY_API_TOKEN: 'jt_bench_0123456789abcdef',
      JOURNEY_AUTOMATIONS: automationsFile,
      LOG_LEVEL: 'warn',
    },
    options.execArgv,
  ).catch(async (error: unknown) => {
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const url = `${journey.url}/v1/batch`;
  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  // keyed `signup:<userId>`, as alertStagesOf reads the raw log and the event store
  const sentAt = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const requests: Promise<unknown>[] = [];
  const requestErrors: string[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  try {
    loopDelay.enable();
    const start = now();
    const warmUpEnd = start + WARM_UP_S * 1000;
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
        })
          .then(async (response) => {
            await response.arrayBuffer();
            const answered = now();
            if (response.ok) for (const e of batch) answeredAt.set(`signup:${e.userId}`, answered);
            else requestErrors.push(`HTTP ${response.status}`);
          })
          // a loaded machine can keep a connection waiting past undici's connect timeout: the run
          // goes on, and the request's sign-ups count as never answered
          .catch((error: unknown) =>
            requestErrors.push(
              error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error),
            ),
          ),
      );
    }
    await Promise.all(requests);
    const deadline = now() + 30_000;
    while (receiver.receivedAt.size < sentAt.size && now() < deadline) await new Promise((r) => setTimeout(r, 50));
    loopDelay.disable();
    const receivedAt = new Map([...receiver.receivedAt].map(([userId, at]) => [`signup:${userId}`, at]));
    const measured: number[] = [];
    const cold: number[] = [];
    // a webhook that never arrived counts as infinitely late, so a receiver left waiting shows in p99
    for (const [key, sent] of sentAt) {
      const at = receivedAt.get(key);
      (sent >= warmUpEnd ? measured : cold).push(at === undefined ? Number.POSITIVE_INFINITY : at - sent);
    }
    measured.sort((a, b) => a - b);
    cold.sort((a, b) => a - b);
    const outbox = new SqliteAutomationStore(join(dataDir, 'automations.db'));
    const stored = await outbox
      .listDeliveries({ automation: AUTOMATION_ID, limit: sentAt.size })
      .finally(() => outbox.close());
    const retried = stored.filter((d) => d.attempts > 1);
    const enqueuedAt = new Map(stored.map((d) => [`signup:${d.userId}`, Date.parse(d.createdAt)]));
    return {
      sent: sentAt.size,
      received: receiver.receivedAt.size,
      webhooks: receiver.received(),
      badSignatures: receiver.badSignatures(),
      failedRequests: requestErrors.length,
      ...(requestErrors[0] === undefined ? {} : { requestError: requestErrors[0] }),
      ...percentiles(measured),
      coldStart: percentiles(cold),
      retried: retried.length,
      ...(retried[0]?.lastError ? { retryReason: retried[0].lastError } : {}),
      stages: alertStagesOf(dataDir, sentAt, answeredAt, enqueuedAt, receivedAt),
      fullCommit,
      normalCommit,
      benchLoopDelay: { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 },
    };
  } finally {
    await journey.stop();
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};

/** the cold start, the hops and the same run's fsync baseline, as printed under the figure */
export const automationStageLines = (run: AutomationLatencyRun): string[] => [
  `  cold start (the ${WARM_UP_S} s warm-up before the measured seconds, not in the figure): p50 ${run.coldStart.p50Ms.toFixed(1)} ms, p99 ${run.coldStart.p99Ms.toFixed(1)} ms, max ${run.coldStart.maxMs.toFixed(1)} ms`,
  `  hops, p50 / p99 / max ms: sent → collector ${formatHop(run.stages.toReceived)}; sent → 200 ${formatHop(run.stages.toAnswered)}; ` +
    `received → mapped ${formatHop(run.stages.receivedToMapped)}; mapped → outbox ${formatHop(run.stages.mappedToRaised)}; ` +
    `outbox → webhook received ${formatHop(run.stages.raisedToPosted)}`,
  `  baseline, same disk, just before: one FULL commit (one fsync) p50 ${run.fullCommit.p50Ms.toFixed(2)} ms, p99 ${run.fullCommit.p99Ms.toFixed(2)} ms, ` +
    `max ${run.fullCommit.maxMs.toFixed(1)} ms (${run.fullCommit.perSecond.toFixed(0)} commits/s; NORMAL ${run.normalCommit.perSecond.toFixed(0)}/s); ` +
    `trigger → webhook p99 = ${(run.p99Ms / run.fullCommit.p99Ms).toFixed(0)}× the FULL commit p99`,
  `  the load generator's event loop during the run (the receiver has its own thread): delay p99 ${run.benchLoopDelay.p99Ms.toFixed(1)} ms, ` +
    `max ${run.benchLoopDelay.maxMs.toFixed(1)} ms (the 5 ms sampling resolution included)`,
];

/** the one-line summary, as `automationLatencyMain.ts` and `npm run bench` print it */
export const automationSummary = (run: AutomationLatencyRun, rate: number, seconds: number): string =>
  `webhook automation on sign-up, trigger → webhook received, ${rate.toLocaleString('en-US')}/s for ${seconds} s after a ${WARM_UP_S} s warm-up: ` +
  `${run.received}/${run.sent} received (${run.webhooks} webhooks, ${run.badSignatures} bad signatures); ` +
  `p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, max ${run.maxMs.toFixed(1)} ms (goal p99 < 50 ms: ${run.p99Ms < 50 ? 'PASS' : 'MISS'}); ` +
  `${run.retried} retried${run.retryReason ? ` (${run.retryReason})` : ''}` +
  (run.failedRequests > 0 ? `; ${run.failedRequests} batch requests failed (${run.requestError})` : '');
