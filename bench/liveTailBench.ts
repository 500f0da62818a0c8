import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HopLatency, hopOf } from './alertStages.ts';
import { commitLatency } from './baselines.ts';
import { startJourneyChild } from './journeyChild.ts';

export type LiveTailRun = {
  readonly sent: number;
  /** raw events whose first SSE message arrived */
  readonly seen: number;
  /** collector 200 → the event's first message on `/api/raw-events/stream` */
  readonly latency: HopLatency;
  /** the same during the warm-up before the measured seconds */
  readonly coldStart: HopLatency;
  readonly fullCommit: ReturnType<typeof commitLatency>;
};

const WRITE_KEY = 'wk_bench_0123456789';
const API_TOKEN = 'jt_bench_0123456789abcdef';
const WARM_UP_S = 5;
const now = () => performance.timeOrigin + performance.now();

/** the live explorer's stream, read as it arrives: each raw event's first message, by messageId, stamped */
const followStream = (url: string, firstSeen: Map<string, number>): (() => void) => {
  let buffered = '';
  const req = request(`${url}/api/raw-events/stream`, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${API_TOKEN}` },
  });
  req.on('response', (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const at = now();
      buffered += chunk;
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (data === '') continue;
        const { messageId } = JSON.parse(data) as { messageId?: string };
        if (messageId !== undefined && !firstSeen.has(messageId)) firstSeen.set(messageId, at);
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return () => req.destroy();
};

/**
 * Live-tail latency of the event explorer: `journey start` in a child process, page views sent at a
 * steady rate, and one `/api/raw-events/stream` client timing each event's first message against
 * the collector's 200 for it. Measured after a warm-up at the same rate, reported apart.
 */
export const liveTailBench = async (
  options: { readonly eventsPerSecond?: number; readonly seconds?: number } = {},
): Promise<LiveTailRun> => {
  const rate = options.eventsPerSecond ?? 1_000;
  const seconds = options.seconds ?? 30;
  const perTick = Math.max(1, Math.round(rate / 100));
  const dataDir = await mkdtemp(join(tmpdir(), 'journey-bench-live-'));
  const fullCommit = commitLatency(join(dataDir, 'baseline-full.db'), 'FULL', 2_000);
  const journey = await startJourneyChild({
    JOURNEY_DATA_DIR: dataDir,
    JOURNEY_WRITE_KEYS: WRITE_KEY,
    JOURNEY_API_TOKEN: API_TOKEN,
    LOG_LEVEL: 'warn',
  });
  const firstSeen = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const stopFollowing = followStream(journey.url, firstSeen);
  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const requests: Promise<unknown>[] = [];
  try {
    await new Promise((r) => setTimeout(r, 200)); // the stream is open before the first event
    const start = now();
    const warmUpEnd = start + WARM_UP_S * 1000;
    const warm = new Set<string>();
    for (let tick = 0; tick < (WARM_UP_S + seconds) * 100; tick++) {
      const wait = start + tick * 10 - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch = Array.from({ length: perTick }, (_, i) => ({
        type: 'page',
        userId: `live-${tick % 500}`,
        name: 'Docs',
        messageId: `live-${tick}-${i}`,
        timestamp: new Date().toISOString(),
        properties: { path: `/docs/${i}` },
      }));
      if (now() < warmUpEnd) for (const e of batch) warm.add(e.messageId);
      requests.push(
        fetch(`${journey.url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ batch }),
        }).then(async (response) => {
          await response.arrayBuffer();
          const at = now();
          if (response.ok) for (const e of batch) answeredAt.set(e.messageId, at);
        }),
      );
    }
    await Promise.all(requests);
    const deadline = now() + 10_000;
    while (firstSeen.size < answeredAt.size && now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const measured: number[] = [];
    const cold: number[] = [];
    for (const [messageId, answered] of answeredAt) {
      // never seen counts as the deadline: a lost message must not improve the figure
      const latency = (firstSeen.get(messageId) ?? Number.POSITIVE_INFINITY) - answered;
      (warm.has(messageId) ? cold : measured).push(latency);
    }
    return {
      sent: answeredAt.size,
      seen: [...answeredAt.keys()].filter((id) => firstSeen.has(id)).length,
      latency: hopOf(measured),
      coldStart: hopOf(cold),
      fullCommit,
    };
  } finally {
    stopFollowing();
    await journey.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

export const liveTailSummary = (run: LiveTailRun, rate: number, seconds: number): string =>
  `live event explorer, collector 200 → first SSE message, ${rate.toLocaleString('en-US')}/s for ${seconds} s after a ${WARM_UP_S} s warm-up: ` +
  `${run.seen}/${run.sent} seen; p50 ${run.latency.p50Ms.toFixed(1)} ms, p99 ${run.latency.p99Ms.toFixed(1)} ms, max ${run.latency.maxMs.toFixed(1)} ms ` +
  `(goal p99 < 100 ms: ${run.latency.p99Ms < 100 ? 'PASS' : 'MISS'}); cold start p99 ${run.coldStart.p99Ms.toFixed(0)} ms; ` +
  `one FULL commit p99 ${run.fullCommit.p99Ms.toFixed(2)} ms`;
