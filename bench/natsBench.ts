import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CompiledRules } from '../domain/mapping/compileRules.ts';
import { JetStreamRawLog } from '../infrastructure/nats/jetStreamRawLog.ts';
import { type NatsServerHarness, startNatsServer } from '../testing/nats/natsServerHarness.ts';
import { benchStreamNames } from './benchJetStream.ts';
import { ingested, rawEvents } from './eventFactory.ts';
import { type IngestOptions, type IngestRun, ingestLatencyFigure, runIngest } from './ingestBench.ts';
import { prepareMapperSource, runMapper } from './mapperBench.ts';
import type { WorkerCommand, WorkerMessage } from './natsMapperWorker.ts';
import type { Figure } from './report.ts';
import { perSecond, settle, summarize } from './stats.ts';
import { removeDatabase, type TempFiles } from './tempFiles.ts';

/**
 * The NATS figures on a private nats-server: ingest through the JetStream raw log beside a no-op log
 * and the naive per-event publisher, all three per round; the mapper from JetStream in 1 and 2
 * processes beside the embedded mapper on the same events.
 */

export type NatsBenchOptions = {
  readonly runs: number;
  readonly ingest: IngestOptions;
  readonly mapperEvents: number;
  readonly rules: CompiledRules;
  readonly log?: (message: string) => void;
};

export type NatsBenchResult = {
  readonly figures: Figure[];
  readonly context: Record<string, unknown>;
  readonly notes: string[];
};

/** CPU time (user + system, ms) the nats-server listening on `url`'s port has used, from /proc */
const natsServerCpuMs = (url: string): number => {
  const port = new URL(url).port;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('nats-server') && args[args.indexOf('-p') + 1] === port) {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux)
        return (Number(fields[11]) + Number(fields[12])) * 10;
      }
    } catch {
      // the process went away while listing
    }
  }
  return Number.NaN;
};

/** CPU per 1,000 stored events of a run: the collector's, plus nats-server's when given */
const cpuPerThousand = (run: IngestRun, natsMs = 0): number =>
  run.stored > 0 && run.cpuMs !== undefined ? ((run.cpuMs + natsMs) * 1000) / run.stored : 0;

const workerScript = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const nextMessage = async <K extends WorkerMessage['kind']>(child: ChildProcess, kind: K): Promise<WorkerMessage> => {
  for (;;) {
    const [message] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`a mapper worker exited with code ${String(code)} before '${kind}'`);
      }),
    ])) as [WorkerMessage];
    if (message.kind === kind) return message;
  }
};

/** fills a stream once, as the collector would: 100-event requests, eight in flight */
const fillStream = async (url: string, tag: string, count: number): Promise<void> => {
  const log = new JetStreamRawLog(url, { ...benchStreamNames(tag), maxAgeMs: 3_600_000, duplicateWindowMs: 3_600_000 });
  try {
    const now = Date.now();
    const events = rawEvents(count, 11).map((e) => ingested(e, now));
    for (let start = 0; start < events.length; start += 800) {
      const requests = [];
      for (let i = start; i < Math.min(events.length, start + 800); i += 100)
        requests.push(log.publish(events.slice(i, i + 100)));
      await Promise.all(requests);
    }
  } finally {
    await log.close();
  }
};

/** `processes` mapper workers on one consumer group, timed from 'go' until the group has nothing pending */
const runNatsMappers = async (
  server: NatsServerHarness,
  tag: string,
  group: string,
  processes: number,
  files: TempFiles,
  count: number,
): Promise<{ eventsPerSecond: number; handled: number }> => {
  const eventsFile = files.file(`nats-mapper-${processes}.db`);
  const observer = new JetStreamRawLog(server.url, {
    ...benchStreamNames(tag),
    maxAgeMs: 3_600_000,
    duplicateWindowMs: 3_600_000,
  });
  const workers = Array.from({ length: processes }, () =>
    fork(workerScript, ['bench/natsMapperWorker.ts', server.url, tag, group, eventsFile], {
      cwd: projectRoot,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  try {
    await Promise.all(workers.map((w) => nextMessage(w, 'ready')));
    const start = performance.now();
    for (const w of workers) w.send({ kind: 'go' } satisfies WorkerCommand);
    // the consumers exist once a worker created them; until then pending counts the whole stream
    while ((await observer.pending(group)) > 0) await settle(20);
    const end = performance.now();
    const stopped = await Promise.all(
      workers.map(async (w) => {
        w.send({ kind: 'stop' } satisfies WorkerCommand);
        return nextMessage(w, 'stopped');
      }),
    );
    const handled = stopped.reduce((sum, m) => sum + (m.kind === 'stopped' ? m.handled : 0), 0);
    return { eventsPerSecond: perSecond(count, start, end), handled };
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill();
    await observer.close();
    await removeDatabase(eventsFile);
  }
};

export const natsBench = async (files: TempFiles, options: NatsBenchOptions): Promise<NatsBenchResult> => {
  const log = options.log ?? (() => undefined);
  const server = await startNatsServer();
  const parseOnly: IngestRun[] = [];
  const grouped: IngestRun[] = [];
  const perEvent: IngestRun[] = [];
  // CPU ms per 1,000 events (collector + nats-server): unlike events/s, hardly moved by other load
  const parseOnlyCpu: number[] = [];
  const groupedCpu: number[] = [];
  const perEventCpu: number[] = [];
  const embeddedMapper: number[] = [];
  const oneMapper: number[] = [];
  const twoMappers: number[] = [];
  const notes: string[] = [];
  try {
    const modes = [
      { mode: 'parse-only', runs: parseOnly, cpu: parseOnlyCpu, what: 'parse-only server' },
      { mode: 'jetstream', runs: grouped, cpu: groupedCpu, what: 'JetStream raw log, grouped per partition' },
      { mode: 'jetstream-per-event', runs: perEvent, cpu: perEventCpu, what: 'naive one publish per event' },
    ] as const;
    for (let round = 1; round <= options.runs; round++) {
      // each round starts with another mode, so a noisy stretch does not always hit the same one
      for (let i = 0; i < modes.length; i++) {
        const m = modes[(i + round - 1) % modes.length];
        if (!m) continue;
        log(`nats ingest round ${round}/${options.runs}: ${m.what}`);
        const target = m.mode === 'parse-only' ? files.file('nats-noop.db') : server.url;
        const natsBefore = natsServerCpuMs(server.url);
        const run = await runIngest(m.mode, target, options.ingest);
        const natsMs = m.mode === 'parse-only' ? 0 : natsServerCpuMs(server.url) - natsBefore;
        m.runs.push(run);
        m.cpu.push(cpuPerThousand(run, Number.isNaN(natsMs) ? 0 : natsMs));
      }
      await settle();
    }
    for (const run of [...grouped, ...perEvent]) {
      const inFlight = 2 * options.ingest.connections * options.ingest.eventsPerBody;
      if (run.non2xx > 0 || run.errors > 0)
        notes.push(`${run.mode} ingest run had ${run.non2xx} non-2xx answers and ${run.errors} connection errors`);
      if (run.stored < run.expectedStored || run.stored > run.expectedStored + inFlight)
        notes.push(`${run.mode} ingest run stored ${run.stored} events for ${run.expectedStored} acknowledged`);
    }

    const tag = `M${process.pid}`;
    log(`nats mapper: filling a stream with ${options.mapperEvents.toLocaleString('en-US')} demo events`);
    await fillStream(server.url, tag, options.mapperEvents);
    const source = await prepareMapperSource(files, options.mapperEvents);
    try {
      for (let round = 1; round <= options.runs; round++) {
        log(`nats mapper round ${round}/${options.runs}: embedded mapper (SQLite raw log, in process)`);
        embeddedMapper.push((await runMapper(files, source, options.rules)).eventsPerSecond);
        for (const processes of [1, 2]) {
          log(`nats mapper round ${round}/${options.runs}: ${processes} mapper process(es) on JetStream`);
          const run = await runNatsMappers(
            server,
            tag,
            `r${round}x${processes}`,
            processes,
            files,
            options.mapperEvents,
          );
          if (run.handled < options.mapperEvents)
            notes.push(`${processes} mapper(s) handled ${run.handled} of ${options.mapperEvents} events`);
          (processes === 1 ? oneMapper : twoMappers).push(run.eventsPerSecond);
          await settle();
        }
      }
    } finally {
      await removeDatabase(source.file);
    }
  } finally {
    await server.stop();
  }

  const events = (runs: readonly IngestRun[]) => summarize(runs.map((r) => r.eventsPerSecond));
  const parseOnlyLabel = 'same collector, parse + validate only (no-op raw log)';
  const figures: Figure[] = [
    {
      id: 'nats-ingest-vs-parse-only',
      label: 'HTTP ingest → JetStream, 100-event batches, grouped per partition',
      unit: 'events/s',
      value: events(grouped),
      baseline: { label: parseOnlyLabel, value: events(parseOnly) },
      target: 0.5,
    },
    {
      id: 'nats-ingest-vs-per-event',
      label: 'HTTP ingest → JetStream, 100-event batches, grouped per partition',
      unit: 'events/s',
      value: events(grouped),
      baseline: { label: 'same collector, naive one JetStream publish per event', value: events(perEvent) },
    },
    ingestLatencyFigure(
      'nats-ingest-latency-p50',
      'HTTP ingest → JetStream, grouped: p50 latency per request',
      grouped,
      parseOnly,
      'p50Ms',
    ),
    ingestLatencyFigure(
      'nats-ingest-latency-p99',
      'HTTP ingest → JetStream, grouped: p99 latency per request',
      grouped,
      parseOnly,
      'p99Ms',
    ),
    ingestLatencyFigure(
      'nats-ingest-per-event-latency-p99',
      'HTTP ingest → JetStream, naive per event: p99 latency per request',
      perEvent,
      parseOnly,
      'p99Ms',
    ),
    {
      id: 'nats-ingest-cpu',
      label: 'HTTP ingest → JetStream, grouped: CPU ms per 1,000 events (collector + nats-server)',
      unit: 'ms',
      value: summarize(groupedCpu),
      baseline: { label: 'parse + validate only: CPU ms per 1,000 events (collector)', value: summarize(parseOnlyCpu) },
    },
    {
      id: 'nats-ingest-per-event-cpu',
      label: 'HTTP ingest → JetStream, naive per event: CPU ms per 1,000 events (collector + nats-server)',
      unit: 'ms',
      value: summarize(perEventCpu),
      baseline: { label: 'parse + validate only: CPU ms per 1,000 events (collector)', value: summarize(parseOnlyCpu) },
    },
    {
      id: 'nats-mapper-1',
      label: `mapper JetStream → SQLite store, 1 process, ${options.mapperEvents.toLocaleString('en-US')} events`,
      unit: 'events/s',
      value: summarize(oneMapper),
      baseline: { label: 'embedded mapper (SQLite raw log, in process)', value: summarize(embeddedMapper) },
    },
    {
      id: 'nats-mapper-2',
      label: `mapper JetStream → SQLite store, 2 processes, ${options.mapperEvents.toLocaleString('en-US')} events`,
      unit: 'events/s',
      value: summarize(twoMappers),
      baseline: { label: 'same, 1 process', value: summarize(oneMapper) },
    },
  ];
  const context = {
    natsIngestMessagesPerRequest: summarize(
      grouped.map((r) => (r.messages && r.stored ? (r.messages / r.stored) * options.ingest.eventsPerBody : 0)),
    ).median,
    runs: {
      parseOnly,
      grouped,
      perEvent,
      parseOnlyCpu,
      groupedCpu,
      perEventCpu,
      embeddedMapper,
      oneMapper,
      twoMappers,
    },
  };
  return { figures, context, notes };
};
