import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { IngestEvents } from '../application/ingest/ingestEvents.ts';
import { systemClock } from '../application/ports/clock.ts';
import { registerCollectorRoutes } from '../infrastructure/http/collectorRoutes.ts';
import { createHttpServer } from '../infrastructure/http/createHttpServer.ts';
import { registerOpsRoutes } from '../infrastructure/http/opsRoutes.ts';
import { countingRawLog } from '../infrastructure/metrics/countingRawLog.ts';
import { JourneyMetrics, LAG_COUNT_CAP } from '../infrastructure/metrics/journeyMetrics.ts';
import { SqliteEventStore } from '../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import { batchBodies } from './eventFactory.ts';
import { BENCH_WRITE_KEY } from './ingestProtocol.ts';
import { NoopRawLog } from './noopRawLog.ts';
import type { Figure } from './report.ts';
import { type Summary, summarize } from './stats.ts';

/**
 * What the metrics cost (`bench/metricsMain.ts`): the collector on a raw log storing nothing, with and
 * without the latency hook and counting raw log, in alternating rounds; a /metrics scrape with three
 * projections LAG_COUNT_CAP behind, beside the store read it needs.
 */
export type MetricsFigures = {
  readonly ingestWith: Summary;
  readonly ingestWithout: Summary;
  readonly scrapeMs: Summary;
  readonly readMs: Summary;
};

const collector = async (withMetrics: boolean) => {
  const metrics = new JourneyMetrics();
  const rawLog = withMetrics ? countingRawLog(new NoopRawLog(), metrics) : new NoopRawLog();
  const app = createHttpServer({ logger: false });
  if (withMetrics) registerOpsRoutes(app, { metrics, readiness: async () => ({ ready: true, checks: [] }) });
  registerCollectorRoutes(app, {
    ingest: new IngestEvents(rawLog, systemClock, () => randomUUID()),
    writeKeys: new Map([[BENCH_WRITE_KEY, 'bench']]),
  });
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
};

const ingestRate = async (withMetrics: boolean, seconds: number): Promise<number> => {
  const { app, url } = await collector(withMetrics);
  const bodies = batchBodies(100);
  try {
    const result = await autocannon({
      url,
      connections: 10,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: '/v1/batch',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from(`${BENCH_WRITE_KEY}:`).toString('base64')}`,
          },
          setupRequest: (request) => ({ ...request, body: bodies.next() }),
        },
      ],
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
    return (result.requests.total * 100) / seconds;
  } finally {
    await app.close();
  }
};

const scrapeTimes = async (rounds: number): Promise<{ scrapeMs: Summary; readMs: Summary }> => {
  const dir = await mkdtemp(join(tmpdir(), 'journey-metrics-bench-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  try {
    for (let u = 0; u < LAG_COUNT_CAP / 100; u++) {
      await store.append(
        `journey-u${u}`,
        Array.from({ length: 100 }, (_, i) => ({ id: randomUUID(), type: 'PageViewed', data: { path: `/p${i}` } })),
      );
    }
    const metrics = new JourneyMetrics();
    metrics.observe({
      now: Date.now,
      eventStore: store,
      projections: () =>
        ['users', 'timeline', 'alerts'].map((name) => ({
          name,
          streamPrefix: 'journey-',
          readCheckpoint: async () => null,
        })),
    });
    const scrape: number[] = [];
    const read: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      await metrics.text();
      scrape.push(performance.now() - t);
      t = performance.now();
      await store.readAll({ streamPrefix: 'journey-', maxCount: LAG_COUNT_CAP });
      read.push(performance.now() - t);
    }
    return { scrapeMs: summarize(scrape), readMs: summarize(read) };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
};

export const metricsFigures = async (options: { quick: boolean }): Promise<MetricsFigures> => {
  const seconds = options.quick ? 2 : 5;
  const withRates: number[] = [];
  const withoutRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    withoutRates.push(await ingestRate(false, seconds));
    withRates.push(await ingestRate(true, seconds));
  }
  const scrape = await scrapeTimes(options.quick ? 5 : 15);
  return {
    ingestWith: summarize(withRates),
    ingestWithout: summarize(withoutRates),
    ...scrape,
  };
};

/** the figures as rows of `npm run bench`'s table */
export const metricsFigureRows = (figures: MetricsFigures): Figure[] => [
  {
    id: 'metrics-ingest-overhead',
    label: 'HTTP ingest, parse + validate only, with the metrics hook and counters',
    unit: 'events/s',
    value: figures.ingestWith,
    baseline: { label: 'same without them', value: figures.ingestWithout },
  },
  {
    id: 'metrics-scrape',
    label: `/metrics scrape, 3 projections ${LAG_COUNT_CAP.toLocaleString('en-US')} events behind`,
    unit: 'ms',
    value: figures.scrapeMs,
    baseline: { label: `one ${LAG_COUNT_CAP.toLocaleString('en-US')}-event read of the store`, value: figures.readMs },
  },
];
