import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../infrastructure/config/loadRules.ts';
import { startPostgresServer } from '../testing/postgres/postgresServer.ts';
import { alertLatencyBench } from './alertLatencyBench.ts';
import { alertStageLines } from './alertStages.ts';
import { automationLatencyBench, automationStageLines, automationSummary } from './automationLatencyBench.ts';
import { commitsPerSecond, eventsInsertBaseline, orderedScanBaseline } from './baselines.ts';
import { eventRows, journeyDeliveries } from './eventFactory.ts';
import { eventStoreDbFigures } from './eventStoreDbBench.ts';
import { ingestFigures, ingestGroupCommit, ingestNotes, ingestRounds } from './ingestRounds.ts';
import { liveTailBench, liveTailSummary } from './liveTailBench.ts';
import { type MapperRun, prepareMapperSource, runMapper } from './mapperBench.ts';
import { metricsFigureRows, metricsFigures } from './metricsBench.ts';
import { natsBench } from './natsBench.ts';
import { type PostgresCatchUpRun, postgresCatchUpInChild } from './postgresCatchUp.ts';
import type { PostgresQueryLatencies } from './postgresQueries.ts';
import { type CatchUpRun, runCatchUp } from './projectionBench.ts';
import { rawEventsFigures } from './rawEventsBench.ts';
import {
  prepareRebuildStore,
  type QueryLatencies,
  queryLatencies,
  type RebuildRun,
  runRebuild,
} from './rebuildBench.ts';
import { type BenchReport, type Figure, renderTable, targetsLine, writeJson } from './report.ts';
import { reportBench, reportRssVerdict } from './reportFigures.ts';
import { sdkSize } from './sdkSizeBench.ts';
import { settle, summarize } from './stats.ts';
import { removeDatabase, tempFiles } from './tempFiles.ts';
import { userSearchFigures } from './userSearchBench.ts';

/**
 * `npm run bench`: every figure beside a baseline measured in the same round and judged as a ratio,
 * because this shared machine moves absolute figures a lot; RUNS rounds, median and spread. `--quick`
 * is for trying the bench out, not for figures to quote.
 */

const RUNS = 3;
const ALERT_RATE = 1_000;
const AUTOMATION_RATE = 1_000;
const LIVE_TAIL_RATE = 1_000;
const quick = process.argv.includes('--quick');
/** `--profile`: CPU profiles of the ingest server processes into .bench-out/profiles */
const profile = process.argv.includes('--profile');
const config = {
  ingestDurationS: quick ? 2 : 10,
  ingestWarmupS: 1,
  connections: 10,
  eventsPerBody: 100,
  rawInsertRows: quick ? 20_000 : 100_000,
  mapperEvents: quick ? 10_000 : 100_000,
  projectionEvents: quick ? 20_000 : 1_000_000,
  fsyncMs: quick ? 300 : 700,
};
const outDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-out');
const outFile = join(outDir, 'results.json');

const started = performance.now();
const startedAt = new Date().toISOString();
const log = (message: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
};
const median = (xs: readonly number[]): number => summarize(xs).median;

const files = await tempFiles();
try {
  log(`temp files in ${files.dir}${quick ? ' (quick mode: figures not comparable)' : ''}`);

  // --- the disk's fsync price, as context for every durable figure
  const fsyncFull: number[] = [];
  const fsyncNormal: number[] = [];
  for (let round = 1; round <= RUNS; round++) {
    log(`fsync round ${round}/${RUNS}`);
    fsyncFull.push(commitsPerSecond(files.file('fsync-full.db'), 'FULL', config.fsyncMs));
    fsyncNormal.push(commitsPerSecond(files.file('fsync-normal.db'), 'NORMAL', config.fsyncMs));
  }

  // --- 1. HTTP ingest
  const ingestOptions = {
    connections: config.connections,
    durationS: config.ingestDurationS,
    warmupS: config.ingestWarmupS,
    eventsPerBody: config.eventsPerBody,
    ...(profile ? { serverExecArgv: ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles')}`] } : {}),
  };
  const ingest = await ingestRounds(files, {
    runs: RUNS,
    ingest: ingestOptions,
    rawInsertRows: config.rawInsertRows,
    log,
  });
  const { parseOnly, durable, rawInsert } = ingest;

  // --- 2. mapper + append
  const rules = loadRules(undefined);
  const mapper: MapperRun[] = [];
  const eventsInsert: number[] = [];
  {
    log(`filling a raw log with ${config.mapperEvents.toLocaleString('en-US')} demo events`);
    const source = await prepareMapperSource(files, config.mapperEvents);
    const rows = eventRows(journeyDeliveries(config.mapperEvents, rules, 5));
    for (let round = 1; round <= RUNS; round++) {
      log(`mapper round ${round}/${RUNS}: events insert baseline`);
      const baselineFile = files.file('baseline-events.db');
      eventsInsert.push(eventsInsertBaseline(baselineFile, rows));
      await removeDatabase(baselineFile);
      log(`mapper round ${round}/${RUNS}: mapper`);
      mapper.push(await runMapper(files, source, rules));
      await settle();
    }
    await removeDatabase(source.file);
  }

  // --- 3. projection catch-up and rebuild all over one store of journey events, then the queries on
  // what the rebuild built
  const catchUp: CatchUpRun[] = [];
  const scan: number[] = [];
  /** catch-up of a store that also holds the mapper's activity events, with the sessions projection running */
  const catchUpWithSessions: (CatchUpRun & { readonly scanPerSecond: number })[] = [];
  const rebuilds: RebuildRun[] = [];
  let queries: QueryLatencies;
  const postgresCatchUp: PostgresCatchUpRun<PostgresQueryLatencies | undefined>[] = [];
  {
    log(`filling an events table with ${config.projectionEvents.toLocaleString('en-US')} journey events`);
    const store = await prepareRebuildStore(files, config.projectionEvents);
    log('filling another with the same journey events and the activity events the mapper appends beside them');
    const activityStore = await prepareRebuildStore(files, config.projectionEvents, true);
    for (let round = 1; round <= RUNS; round++) {
      log(`projection round ${round}/${RUNS}: ordered scan baseline`);
      const scanned = orderedScanBaseline(store.file);
      if (scanned.rows !== store.count) throw new Error(`scanned ${scanned.rows} of ${store.count} events`);
      scan.push(scanned.rowsPerSecond);
      log(`projection round ${round}/${RUNS}: catch-up`);
      catchUp.push(await runCatchUp(store));
      await settle();
      log(`projection round ${round}/${RUNS}: the same events with their activity, scan, then catch-up with sessions`);
      const withActivity = orderedScanBaseline(activityStore.file);
      const run = await runCatchUp(activityStore, { sessions: true });
      catchUpWithSessions.push({ ...run, scanPerSecond: withActivity.rowsPerSecond });
      await settle();
    }
    await removeDatabase(activityStore.file);
    for (let round = 1; round <= RUNS; round++) {
      log(`rebuild round ${round}/${RUNS}: ordered scan baseline, then rebuild all`);
      rebuilds.push(await runRebuild(store));
      await settle();
    }
    log(`queries on the rebuilt read models (${store.users.toLocaleString('en-US')} users)`);
    const querySamples = { funnels: quick ? 10 : 50, journeys: quick ? 200 : 1000 };
    queries = await queryLatencies(store, querySamples);
    // the same catch-up into PostgreSQL (a private durable server per round), then the same queries on it
    for (let round = 1; round <= RUNS; round++) {
      log(`PostgreSQL round ${round}/${RUNS}: catch-up (timeline ∥ users), then COPY of the same rows`);
      postgresCatchUp.push(await postgresCatchUpInChild(store, round === RUNS ? querySamples : undefined));
      await settle();
    }
    await removeDatabase(store.file);
  }
  const queryVerdict = queries.funnel.p99 < 50 && queries.journey.p99 < 50 ? 'PASS' : 'MISS';
  const postgresQueries = postgresCatchUp.at(-1)?.afterwards;
  if (!postgresQueries) throw new Error('the PostgreSQL query latencies were not measured');
  const postgresQueryVerdict = postgresQueries.funnel.p99 < 20 && postgresQueries.journey.p99 < 10 ? 'PASS' : 'MISS';

  // --- 4. the EventStoreDB adapter through the real client on the emulator, beside SQLite (no target)
  const eventStoreDb = await eventStoreDbFigures(
    files,
    journeyDeliveries(quick ? 5_000 : 20_000, rules, 11),
    RUNS,
    log,
  );

  // --- 4b. the NATS JetStream raw log: ingest and mappers, each beside its baselines
  const nats = await natsBench(files, {
    runs: RUNS,
    ingest: ingestOptions,
    mapperEvents: quick ? 5_000 : 20_000,
    rules,
    log,
  });

  // --- 5. ingest → Slack latency of sign-up alerts (one 30 s run: it is long, and its spread is in its percentiles)
  log(
    `alerts: ${ALERT_RATE.toLocaleString('en-US')} sign-ups/s for 5 s of warm-up, then ${quick ? 5 : 30} s measured, journey start in a child process`,
  );
  const alerts = await alertLatencyBench({ eventsPerSecond: ALERT_RATE, seconds: quick ? 5 : 30 });
  const alertVerdict = alerts.p99Ms < 50 ? 'PASS' : 'MISS';
  log('alerts again, with the read side and the alert store in PostgreSQL (a private durable server)');
  const alertsPostgres = await (async () => {
    const server = await startPostgresServer({ durable: true });
    try {
      return await alertLatencyBench({ eventsPerSecond: ALERT_RATE, seconds: quick ? 5 : 30, databaseUrl: server.url });
    } finally {
      await server.stop();
    }
  })();
  log(
    `automations: a webhook on each sign-up, ${AUTOMATION_RATE.toLocaleString('en-US')}/s for 5 s of warm-up, then ${quick ? 5 : 30} s measured, journey start in a child process`,
  );
  const automationSeconds = quick ? 5 : 30;
  const automations = await automationLatencyBench({ eventsPerSecond: AUTOMATION_RATE, seconds: automationSeconds });
  log(
    `live explorer: page views at ${LIVE_TAIL_RATE.toLocaleString('en-US')}/s, collector 200 → first message on /api/raw-events/stream`,
  );
  const liveTailSeconds = quick ? 5 : 20;
  const liveTail = await liveTailBench({ eventsPerSecond: LIVE_TAIL_RATE, seconds: liveTailSeconds });
  log('metrics: collector with and without the latency hook and counters; a /metrics scrape with projections behind');
  const metrics = await metricsFigures({ quick });

  // --- 6. the dashboard's user search at 100k users, beside a primary-key lookup (no target)
  const userSearch = await userSearchFigures(files, quick ? 10_000 : 100_000, RUNS, log);

  // --- 6. the explorer's one-user raw-event query at 1M raw events, beside the bare SELECT (goal p99 < 20 ms)
  const rawEvents = await rawEventsFigures(files, quick ? 100_000 : 1_000_000, RUNS, log);

  // --- 6. the daily funnel report: 100k and 300k users, each run in a fresh child process (peak RSS of its own)
  const dailyReport = await reportBench(files, {
    sizes: quick ? [10_000, 30_000] : [100_000, 300_000],
    runs: RUNS,
    log,
  });

  const figures: Figure[] = [
    ...ingestFigures(ingest),
    {
      id: 'mapper-append',
      label: `mapper + append, ${config.mapperEvents.toLocaleString('en-US')} raw events, default rules`,
      unit: 'events/s',
      value: summarize(mapper.map((r) => r.eventsPerSecond)),
      baseline: {
        label: 'better-sqlite3 insert, events table, same row count, 1,000/tx',
        value: summarize(eventsInsert),
      },
    },
    {
      id: 'projection-catch-up',
      label: `projection catch-up (timeline ∥ users), ${config.projectionEvents.toLocaleString('en-US')} events`,
      unit: 'events/s',
      value: summarize(catchUp.map((r) => r.eventsPerSecond)),
      baseline: { label: 'ordered scan of events + JSON.parse (iterate)', value: summarize(scan) },
      target: 0.25,
    },
    {
      id: 'catch-up-with-sessions',
      label: `projection catch-up with activity events and the sessions projection (timeline ∥ users ∥ sessions), share of its scan`,
      unit: '% of scan',
      value: summarize(catchUpWithSessions.map((r) => (100 * r.eventsPerSecond) / r.scanPerSecond)),
      baseline: {
        label: 'the catch-up above, journey events only (timeline ∥ users), share of its scan',
        value: summarize(catchUp.map((r, i) => (100 * r.eventsPerSecond) / (scan[i] ?? Number.NaN))),
      },
      target: 0.9,
    },
    {
      id: 'postgres-catch-up',
      label: `PostgreSQL catch-up (timeline ∥ users), ${config.projectionEvents.toLocaleString('en-US')} events`,
      unit: 'events/s',
      value: summarize(postgresCatchUp.map((r) => r.eventsPerSecond)),
      baseline: {
        label: 'COPY of the rows it wrote into the same tables',
        value: summarize(postgresCatchUp.map((r) => r.baselinePerSecond)),
      },
      target: 0.5,
    },
    {
      id: 'postgres-funnel-p99',
      label: `funnel as-of query p99 on PostgreSQL, ${postgresQueries.users.toLocaleString('en-US')} users`,
      unit: 'ms',
      value: summarize([postgresQueries.funnel.p99]),
      baseline: { label: 'the same query p99 on SQLite', value: summarize([queries.funnel.p99]) },
    },
    {
      id: 'postgres-journey-p99',
      label: 'journey query p99 on PostgreSQL',
      unit: 'ms',
      value: summarize([postgresQueries.journey.p99]),
      baseline: { label: 'the same query p99 on SQLite', value: summarize([queries.journey.p99]) },
    },
    {
      id: 'rebuild-all',
      label: `projections rebuild all (timeline, users, alerts), ${config.projectionEvents.toLocaleString('en-US')} events`,
      unit: 'events/s',
      value: summarize(rebuilds.map((r) => r.eventsPerSecond)),
      baseline: {
        label: 'ordered scan of events + JSON.parse (iterate)',
        value: summarize(rebuilds.map((r) => r.scanPerSecond)),
      },
      target: 0.25,
    },
    {
      id: 'alert-p99-postgres',
      label: `sign-up alert p99, ingest → Slack at ${ALERT_RATE.toLocaleString('en-US')}/s, alert store in PostgreSQL`,
      unit: 'ms',
      value: summarize([alertsPostgres.p99Ms]),
      baseline: { label: 'the same with the alert store in SQLite', value: summarize([alerts.p99Ms]) },
      targetAtMost: 1.5,
    },
    {
      id: 'automation-p99',
      label: `webhook automation p99, trigger → webhook received at ${AUTOMATION_RATE.toLocaleString('en-US')}/s`,
      unit: 'ms',
      value: summarize([automations.p99Ms]),
      baseline: {
        label: 'one FULL commit p99, same disk, just before',
        value: summarize([automations.fullCommit.p99Ms]),
      },
      // the goal is absolute (p99 < 50 ms), printed with the summary as the alert latency's is
    },
    {
      id: 'live-tail-p99',
      label: `live explorer p99, collector 200 → first SSE message at ${LIVE_TAIL_RATE.toLocaleString('en-US')}/s`,
      unit: 'ms',
      value: summarize([liveTail.latency.p99Ms]),
      baseline: { label: 'one FULL commit p99, same disk, just before', value: summarize([liveTail.fullCommit.p99Ms]) },
      // the goal is absolute (p99 < 100 ms), printed with its summary line
    },
    ...eventStoreDb,
    ...userSearch,
    ...rawEvents.figures,
    ...nats.figures,
    ...metricsFigureRows(metrics),
    ...dailyReport.figures,
    {
      id: 'sqlite-commits-full',
      label: 'context: single-row commits, WAL, synchronous=FULL',
      unit: 'commits/s',
      value: summarize(fsyncFull),
      baseline: { label: 'same with synchronous=NORMAL (no fsync)', value: summarize(fsyncNormal) },
    },
  ];

  // the browser SDK's weight on every customer page: one build, no runs needed
  const sdk = await sdkSize();
  const sdkVerdict = sdk.gzip < 5 * 1024 ? 'PASS' : 'MISS';

  const fsyncMs = 1000 / median(fsyncFull) - 1000 / median(fsyncNormal);
  const context = {
    sdkBytes: sdk,
    dailyReport: dailyReport.context,
    alerts,
    alertsPostgres,
    automations,
    liveTail,
    postgresQueries,
    fsyncMsPerCommit: fsyncMs,
    ingestDurableEventsPerCommit: ingestGroupCommit(ingest).eventsPerCommit,
    ingestDurableRequestsPerCommit: ingestGroupCommit(ingest).requestsPerCommit,
    mapperJourneyEventsAppended: median(mapper.map((r) => r.appended)),
    mapperAppendsPerCommit: median(mapper.map((r) => (r.commits ? r.appends / r.commits : 0))),
    runs: {
      parseOnly,
      durable,
      rawInsert,
      mapper,
      eventsInsert,
      catchUp,
      scan,
      catchUpWithSessions,
      fsyncFull,
      fsyncNormal,
      rebuilds,
      postgresCatchUp: postgresCatchUp.map(({ afterwards: _, ...run }) => run),
    },
    queries,
    nats: nats.context,
  };
  const notes: string[] = [...nats.notes, ...ingestNotes(ingest, ingestOptions)];

  const runSeconds = (performance.now() - started) / 1000;
  const report: BenchReport = {
    startedAt,
    node: process.version,
    cpus: cpus().length,
    quick,
    runs: RUNS,
    config,
    figures,
    context,
    notes,
    runSeconds,
  };
  await writeJson(outFile, report);

  const lines = [
    '',
    `Journey bench, ${startedAt}, Node ${process.version}, ${cpus().length} cores: median of ${RUNS} runs, each beside its baseline from the same run${quick ? ' (QUICK MODE: not comparable)' : ''}`,
    '',
    renderTable(figures),
    '',
    `fsync on this disk: about ${fsyncMs.toFixed(2)} ms per durable commit (1/FULL − 1/NORMAL commit rate)`,
    `durable ingest group commit: ${context.ingestDurableRequestsPerCommit.toFixed(1)} requests (${context.ingestDurableEventsPerCommit.toFixed(0)} events) per fsync`,
    `mapper: ${context.mapperJourneyEventsAppended.toLocaleString('en-US')} store events appended for ${config.mapperEvents.toLocaleString('en-US')} raw events, ${context.mapperAppendsPerCommit.toFixed(1)} appends per commit`,
    `sign-up alert, ingest → Slack post at ${ALERT_RATE.toLocaleString('en-US')}/s: p50 ${alerts.p50Ms.toFixed(1)} ms, p99 ${alerts.p99Ms.toFixed(1)} ms, max ${alerts.maxMs.toFixed(1)} ms (${alerts.posted}/${alerts.sent} posted; ingest → outbox p50 ${alerts.raisedP50Ms.toFixed(1)} / p99 ${alerts.raisedP99Ms.toFixed(1)} ms; goal p99 < 50 ms: ${alertVerdict})`,
    ...alertStageLines(alerts),
    `the same with the alert store in PostgreSQL: p50 ${alertsPostgres.p50Ms.toFixed(1)} ms, p99 ${alertsPostgres.p99Ms.toFixed(1)} ms, max ${alertsPostgres.maxMs.toFixed(1)} ms (${alertsPostgres.posted}/${alertsPostgres.sent} posted; cold start p99 ${alertsPostgres.coldStart.p99Ms.toFixed(0)} ms)`,
    automationSummary(automations, AUTOMATION_RATE, automationSeconds),
    ...automationStageLines(automations),
    `queries on PostgreSQL over ${postgresQueries.users.toLocaleString('en-US')} users: funnel p50 ${postgresQueries.funnel.median.toFixed(1)} / p99 ${postgresQueries.funnel.p99.toFixed(1)} ms (goal < 20 ms), journey p50 ${postgresQueries.journey.median.toFixed(2)} / p99 ${postgresQueries.journey.p99.toFixed(2)} ms (goal < 10 ms; raw SELECT of the timeline p99 ${postgresQueries.rawJourney.p99.toFixed(2)} ms): ${postgresQueryVerdict}`,
    `queries at ${config.projectionEvents.toLocaleString('en-US')} events over ${queries.users.toLocaleString('en-US')} users: funnel p50 ${queries.funnel.median.toFixed(1)} / p99 ${queries.funnel.p99.toFixed(1)} ms (raw COUNT(*) of sign-ups by T p99 ${queries.rawSignupCount.p99.toFixed(2)} ms), journey p50 ${queries.journey.median.toFixed(2)} / p99 ${queries.journey.p99.toFixed(2)} ms (raw index read of the timeline p99 ${queries.rawJourney.p99.toFixed(2)} ms; goal p99 < 50 ms: ${queryVerdict})`,
    `daily report: ${reportRssVerdict(dailyReport).line}`,
    rawEvents.line,
    liveTailSummary(liveTail, LIVE_TAIL_RATE, liveTailSeconds),
    `browser SDK /sdk.js: ${sdk.raw.toLocaleString('en-US')} bytes, ${sdk.gzip.toLocaleString('en-US')} gzipped (target < 5 KB gzip: ${sdkVerdict})`,
    `ingest: ${config.connections} connections, ${config.ingestDurationS} s per run after ${config.ingestWarmupS} s warm-up, server in a child process`,
    ...notes.map((n) => `NOTE: ${n}`),
    targetsLine(figures),
    `results: ${outFile}`,
    `bench ran in ${runSeconds.toFixed(0)} s`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
} finally {
  await files.remove();
}
