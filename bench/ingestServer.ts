import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { IngestEvents } from '../application/ingest/ingestEvents.ts';
import { systemClock } from '../application/ports/clock.ts';
import { silentLogger } from '../application/ports/logger.ts';
import { WorkerRawEventIndexWriter } from '../apps/journey/workerRawEventIndexWriter.ts';
import { loadConfig } from '../infrastructure/config/config.ts';
import { registerCollectorRoutes } from '../infrastructure/http/collectorRoutes.ts';
import { createHttpServer } from '../infrastructure/http/createHttpServer.ts';
import { SqliteRawEventIndex } from '../infrastructure/sqlite/rawEventIndex/sqliteRawEventIndex.ts';
import { SqliteRawLog } from '../infrastructure/sqlite/rawLog/sqliteRawLog.ts';
import { countSqliteCommits } from '../testing/sqlite/countSqliteCommits.ts';
import { openBenchJetStream } from './benchJetStream.ts';
import { countCalls } from './countCalls.ts';
import { BENCH_WRITE_KEY, type ParentMessage, type ServerMessage } from './ingestProtocol.ts';
import { NoopRawLog } from './noopRawLog.ts';

/**
 * The collector under load, in its own process (`node bin/run.js bench/ingestServer.ts
 * <durable|durable-explorer|parse-only> <raw.db>`), started and stopped by ingestBench.ts over the IPC channel.
 * The production pieces as `journey collector` wires them (fastify, collector routes,
 * IngestEvents, SqliteRawLog), without the request logger, which the bench is not about.
 */

const send = (message: ServerMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('ingestServer.ts must be started with an IPC channel (fork)'));
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });

const [mode, file] = process.argv.slice(2);
const jetStreamMode = mode === 'jetstream' || mode === 'jetstream-per-event';
const explorer = mode === 'durable-explorer';
if ((mode !== 'durable' && !explorer && mode !== 'parse-only' && !jetStreamMode) || file === undefined) {
  console.error(
    'usage: node bin/run.js bench/ingestServer.ts <durable|durable-explorer|parse-only> <raw.db> | <jetstream|jetstream-per-event> <nats-url>',
  );
  process.exit(2);
}

// the group commit's figure, counted from outside the raw log: its commits and the publishes it coalesced
const commits = countSqliteCommits();
const sqlite = mode === 'durable' || explorer ? new SqliteRawLog(file) : undefined;
// the explorer's index as `journey start` runs it: a worker thread copying what the log stores
const index = explorer ? await startIndexThread(file) : undefined;
const opened = commits.of(file);
const publishes = sqlite ? countCalls(sqlite, 'publish') : undefined;
const noop = new NoopRawLog();
const nats = jetStreamMode ? await openBenchJetStream(mode, file) : undefined;
const ingest = new IngestEvents(sqlite ?? nats?.log ?? noop, systemClock, () => randomUUID());
const app = createHttpServer({ logger: false });
registerCollectorRoutes(app, { ingest, writeKeys: new Map([[BENCH_WRITE_KEY, 'bench']]) });
const url = await app.listen({ port: 0, host: '127.0.0.1' });

process.on('message', (message: ParentMessage) => {
  if (message.kind !== 'stop') return;
  void (async () => {
    await app.close();
    let stopped: ServerMessage;
    if (sqlite) {
      // every event after offset 0 of a group that never consumed: the whole log
      const stored = await sqlite.pending('bench-count');
      // the CPU figure is the load's; the index's catch-up afterwards is timed apart
      const cpu = process.cpuUsage(cpuAtReady);
      const caughtUp = index ? await indexCatchUp(file) : undefined;
      await index?.stop();
      await sqlite.close();
      stopped = {
        kind: 'stopped',
        stored,
        publishes: publishes?.count ?? 0,
        commits: commits.of(file) - opened,
        ...caughtUp,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
    } else if (nats) {
      stopped = { kind: 'stopped', ...(await nats.finish()) };
    } else {
      stopped = { kind: 'stopped', stored: noop.count() };
    }
    const cpu = process.cpuUsage(cpuAtReady);
    await send({ cpuMs: (cpu.user + cpu.system) / 1000, ...stopped });
    process.disconnect();
  })();
});

async function startIndexThread(rawFile: string): Promise<WorkerRawEventIndexWriter> {
  if (basename(rawFile) !== 'raw.db')
    throw new Error(`durable-explorer needs the raw log at <dir>/raw.db, not ${rawFile}`);
  const config = loadConfig({ JOURNEY_DATA_DIR: dirname(rawFile), LOG_LEVEL: 'warn' });
  const writer = new WorkerRawEventIndexWriter(config, silentLogger);
  await writer.start();
  return writer;
}

/** how far behind the log the index thread was when the load stopped, and how long it took to copy the rest */
async function indexCatchUp(rawFile: string): Promise<{ indexBehind: number; indexCatchUpMs?: number }> {
  const reader = new SqliteRawEventIndex(join(dirname(rawFile), 'rawevents.db'), { rawLogFile: rawFile });
  try {
    const started = performance.now();
    const indexBehind = await reader.storedBehind();
    while (performance.now() - started < 120_000) {
      if ((await reader.storedBehind()) === 0) return { indexBehind, indexCatchUpMs: performance.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { indexBehind };
  } finally {
    await reader.close();
  }
}

// CPU time of this process from ready to stop: what the requests cost, whatever the machine's load
const cpuAtReady = process.cpuUsage();
await send({ kind: 'ready', url });
