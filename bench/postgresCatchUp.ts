import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { eventStoreFor } from '../apps/journey/adapters.ts';
import { journeyProjection } from '../apps/projector/journeyProjections.ts';
import { loadConfig } from '../infrastructure/config/config.ts';
import { connectPostgres } from '../infrastructure/postgres/connectPostgres.ts';
import { migrate } from '../infrastructure/postgres/migrations/migrate.ts';
import { migrations } from '../infrastructure/postgres/migrations/migrations.ts';
import { PostgresReadModels } from '../infrastructure/postgres/readModels/postgresReadModels.ts';
import { ProjectionRunner } from '../projections/projectionRunner.ts';
import { startPostgresServer } from '../testing/postgres/postgresServer.ts';
import type { PostgresQueryLatencies } from './postgresQueries.ts';
import { prepareRebuildStore, type RebuildStore } from './rebuildBench.ts';
import { perSecond } from './stats.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * Projection catch-up into PostgreSQL: the timeline and users projections, side by side through
 * the real ProjectionRunner (users in this thread, the timeline in a worker, as the projector
 * runs them), from a filled SQLite event store into fresh read models; beside a
 * baseline that COPYs the very rows they wrote into the same tables of a fresh database, with
 * no Journey code (rows built before the clock starts: PostgreSQL's load capacity alone).
 */

export type PostgresCatchUpRun<T = undefined> = {
  readonly events: number;
  readonly eventsPerSecond: number;
  /** the same rows by COPY, as events/s of the source */
  readonly baselinePerSecond: number;
  readonly ratio: number;
  /** when each projection had caught up, from the start */
  readonly usersSeconds: number;
  readonly timelineSeconds: number;
  /** what `afterwards` measured on the caught-up read models */
  readonly afterwards: T;
};

/** what the projections wrote; the checkpoints and schema bookkeeping are not content */
const CONTENT_TABLES = [
  'journey.timeline',
  'journey.users',
  'journey.activity_days',
  'journey.stage_instants',
  'journey.stage_minutes',
  'journey.stage_days',
] as const;

const dump = async (pool: pg.Pool, table: string): Promise<Buffer[]> => {
  const client = await pool.connect();
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(`COPY ${table} TO STDOUT`))) chunks.push(chunk as Buffer);
    return chunks;
  } finally {
    client.release();
  }
};

const load = async (pool: pg.Pool, table: string, chunks: readonly Buffer[]): Promise<void> => {
  const client = await pool.connect();
  try {
    // COPY writes the dumped values into the identity column too, so the rows are the same
    await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} FROM STDIN`)));
  } finally {
    client.release();
  }
};

const freshDatabase = async (admin: pg.Pool, url: string, name: string): Promise<pg.Pool> => {
  await admin.query(`CREATE DATABASE ${name}`);
  const pool = await connectPostgres({ url: url.replace(/\/journey$/, `/${name}`), poolSize: 4 });
  await migrate(pool, migrations);
  return pool;
};

/** the timeline's runner in a worker thread (postgresCatchUpThread.ts), started and connected */
const timelineInThread = async (dataDir: string, url: string): Promise<{ run(): Promise<void> }> => {
  const worker = new Worker(new URL('../bin/tsWorker.js', import.meta.url), {
    workerData: { module: new URL('./postgresCatchUpThread.ts', import.meta.url).href, dataDir, url },
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  await next();
  return {
    run: async () => {
      const done = next();
      worker.postMessage('go');
      const outcome = await done;
      await worker.terminate();
      if (outcome !== 'done') throw new Error(`the timeline thread failed: ${JSON.stringify(outcome)}`);
    },
  };
};

/**
 * one catch-up of `source` into a fresh database of a durable private server, and its baseline;
 * `afterwards` runs on the caught-up database before the server stops (the query figures)
 */
export const runPostgresCatchUp = async <T = undefined>(
  source: RebuildStore,
  afterwards?: (pool: pg.Pool) => Promise<T>,
): Promise<PostgresCatchUpRun<T>> => {
  const server = await startPostgresServer({ durable: true });
  const admin = await connectPostgres({ url: server.url, poolSize: 1 });
  const config = loadConfig({ JOURNEY_DATA_DIR: source.dataDir, LOG_LEVEL: 'warn' });
  const eventStore = eventStoreFor(config);
  try {
    const pool = await freshDatabase(admin, server.url, 'catch_up');
    const usersRunner = new ProjectionRunner(
      eventStore,
      await PostgresReadModels.open(pool),
      journeyProjection(config, 'users'),
    );
    const timelineThread = await timelineInThread(source.dataDir, server.url.replace(/\/journey$/, '/catch_up'));
    const start = performance.now();
    const seconds = (since: number) => () => (performance.now() - since) / 1000;
    const [usersSeconds, timelineSeconds] = await Promise.all([
      usersRunner.catchUp().then(seconds(start)),
      timelineThread.run().then(seconds(start)),
    ]);
    const end = performance.now();
    const rows = await Promise.all(CONTENT_TABLES.map(async (table) => [table, await dump(pool, table)] as const));
    const measured = (await afterwards?.(pool)) as T;
    await pool.end();

    const baseline = await freshDatabase(admin, server.url, 'baseline');
    // two connections, as the two projections had: the timeline on one, the users' tables on the other
    const [timeline, ...users] = rows;
    const baselineStart = performance.now();
    await Promise.all([
      timeline && load(baseline, ...timeline),
      (async () => {
        for (const [table, chunks] of users) await load(baseline, table, chunks);
      })(),
    ]);
    const baselineEnd = performance.now();
    await baseline.end();
    const eventsPerSecond = perSecond(source.count, start, end);
    const baselinePerSecond = perSecond(source.count, baselineStart, baselineEnd);
    const ratio = eventsPerSecond / baselinePerSecond;
    return {
      events: source.count,
      eventsPerSecond,
      baselinePerSecond,
      ratio,
      usersSeconds,
      timelineSeconds,
      afterwards: measured,
    };
  } finally {
    await eventStore.close();
    await admin.end();
    await server.stop();
  }
};

/**
 * `runPostgresCatchUp` in a fresh process, as the projector runs: inside the bench process, grown
 * by the figures before it, the users projection's catch-up paid for that heap in its collections;
 * `queries`: the query latencies measured afterwards
 */
export const postgresCatchUpInChild = async <Q extends { funnels: number; journeys: number } | undefined>(
  source: RebuildStore,
  queries: Q,
): Promise<PostgresCatchUpRun<Q extends undefined ? undefined : PostgresQueryLatencies>> => {
  const args = [JSON.stringify(source), String(queries?.funnels ?? 0), String(queries?.journeys ?? 0)];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      fileURLToPath(new URL('../bin/run.js', import.meta.url)),
      fileURLToPath(new URL('./postgresCatchUpMain.ts', import.meta.url)),
      '--child',
      ...args,
    ],
    { maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
};

/** fills an event store with `count` journey events, runs one catch-up and prints the figures */
export const postgresCatchUpBench = async (count: number): Promise<PostgresCatchUpRun> => {
  const files = await tempFiles();
  try {
    const store = await prepareRebuildStore(files, count);
    const run = await runPostgresCatchUp(store);
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    process.stdout.write(
      `PostgreSQL catch-up (timeline ∥ users) of ${n(run.events)} events: ${n(run.eventsPerSecond)} events/s, COPY of the same rows ${n(run.baselinePerSecond)} events/s, ratio ${run.ratio.toFixed(2)} (users done at ${run.usersSeconds.toFixed(2)} s, timeline at ${run.timelineSeconds.toFixed(2)} s)\n`,
    );
    return run;
  } finally {
    await files.remove();
  }
};
