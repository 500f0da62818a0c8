import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { batchBodies } from './eventFactory.ts';
import { BENCH_WRITE_KEY, type IngestMode, type ParentMessage, type ServerMessage } from './ingestProtocol.ts';
import type { Figure } from './report.ts';
import { summarize } from './stats.ts';

/**
 * HTTP ingest of 100-event batches through the real collector. The server runs in a child process:
 * sharing an event loop with autocannon, the raw log's synchronous fsync would stall the load
 * generator's clock, understating throughput and skewing latency.
 */

export type IngestOptions = {
  readonly connections: number;
  readonly durationS: number;
  /** unmeasured load first, so JIT, fastify's caches and the SQLite file are warm */
  readonly warmupS: number;
  readonly eventsPerBody: number;
  /** extra node flags for the server process, e.g. `--cpu-prof` (NODE_OPTIONS refuses it) */
  readonly serverExecArgv?: readonly string[];
};

export type IngestRun = {
  readonly mode: IngestMode;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** events the server reports stored (durable) or handed to the no-op log, warm-up included */
  readonly stored: number;
  readonly expectedStored: number;
  readonly publishes?: number;
  readonly commits?: number;
  /** jetstream modes: the JetStream messages those events took */
  readonly messages?: number;
  /** CPU time of the server process over warm-up and run */
  readonly cpuMs?: number;
  /** durable-explorer: events the explorer's index had not read yet when the load stopped */
  readonly indexBehind?: number;
  /** durable-explorer: how long the index took after the load to catch up with the log */
  readonly indexCatchUpMs?: number;
};

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const nextMessage = async (child: ChildProcess, kind: ServerMessage['kind']): Promise<ServerMessage> => {
  for (;;) {
    const [message] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the ingest server exited with code ${String(code)} before sending '${kind}'`);
      }),
    ])) as [ServerMessage];
    if (message.kind === kind) return message;
  }
};

const load = (url: string, options: IngestOptions, durationS: number, nextBody: () => string) =>
  autocannon({
    url,
    connections: options.connections,
    duration: durationS,
    requests: [
      {
        method: 'POST',
        path: '/v1/batch',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${BENCH_WRITE_KEY}:`).toString('base64')}`,
        },
        setupRequest: (request) => ({ ...request, body: nextBody() }),
      },
    ],
  });

/** `rawLogFile`: the SQLite file (durable, parse-only) or the NATS URL (jetstream modes) */
export const runIngest = async (mode: IngestMode, rawLogFile: string, options: IngestOptions): Promise<IngestRun> => {
  const child = fork(
    fileURLToPath(new URL('../bin/run.js', import.meta.url)),
    ['bench/ingestServer.ts', mode, rawLogFile],
    {
      cwd: projectRoot,
      execArgv: [...process.execArgv, ...(options.serverExecArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const exited = once(child, 'exit');
  try {
    const ready = await nextMessage(child, 'ready');
    if (ready.kind !== 'ready') throw new Error('unreachable');
    const bodies = batchBodies(options.eventsPerBody);
    const warmup = await load(ready.url, options, options.warmupS, bodies.next);
    const result = await load(ready.url, options, options.durationS, bodies.next);
    child.send({ kind: 'stop' } satisfies ParentMessage);
    const stopped = await nextMessage(child, 'stopped');
    if (stopped.kind !== 'stopped') throw new Error('unreachable');
    await exited;
    return {
      mode,
      eventsPerSecond: (result['2xx'] * options.eventsPerBody) / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requests: result['2xx'] + result.non2xx,
      non2xx: result.non2xx + warmup.non2xx,
      errors: result.errors + warmup.errors,
      stored: stopped.stored,
      expectedStored: (result['2xx'] + warmup['2xx']) * options.eventsPerBody,
      ...(stopped.publishes === undefined ? {} : { publishes: stopped.publishes }),
      ...(stopped.commits === undefined ? {} : { commits: stopped.commits }),
      ...(stopped.messages === undefined ? {} : { messages: stopped.messages }),
      ...(stopped.cpuMs === undefined ? {} : { cpuMs: stopped.cpuMs }),
      ...(stopped.indexBehind === undefined ? {} : { indexBehind: stopped.indexBehind }),
      ...(stopped.indexCatchUpMs === undefined ? {} : { indexCatchUpMs: stopped.indexCatchUpMs }),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
};

/** a latency percentile of ingest runs beside the same percentile of the parse + validate only runs */
export const ingestLatencyFigure = (
  id: string,
  label: string,
  runs: readonly IngestRun[],
  parseOnly: readonly IngestRun[],
  percentile: 'p50Ms' | 'p99Ms',
): Figure => ({
  id,
  label,
  unit: 'ms',
  value: summarize(runs.map((r) => r[percentile])),
  baseline: {
    label: `parse + validate only: ${percentile.slice(0, 3)}`,
    value: summarize(parseOnly.map((r) => r[percentile])),
  },
});
