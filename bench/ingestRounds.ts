import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { rawLogInsertBaseline } from './baselines.ts';
import { rawLogRows } from './eventFactory.ts';
import { type IngestOptions, type IngestRun, ingestLatencyFigure, runIngest } from './ingestBench.ts';
import type { Figure } from './report.ts';
import { settle, summarize } from './stats.ts';
import { removeDatabase, type TempFiles } from './tempFiles.ts';

/**
 * The ingest figures: the durable collector beside a no-op raw log and beside raw better-sqlite3
 * inserts of the same events, and beside itself with the explorer's index following the log, all in
 * each round so a noisy minute hits them together. Shared by `npm run bench` and bench/ingestMain.ts.
 */

export type IngestRounds = {
  readonly parseOnly: readonly IngestRun[];
  readonly durable: readonly IngestRun[];
  /** durable, with the explorer's raw-event index following the log in its thread (as `journey start`) */
  readonly explorer: readonly IngestRun[];
  /** rows/s of the raw-insert baseline */
  readonly rawInsert: readonly number[];
};

export type IngestRoundsOptions = {
  readonly runs: number;
  readonly ingest: IngestOptions;
  /** rows of the raw-insert baseline, in 1,000-row transactions */
  readonly rawInsertRows: number;
  readonly log: (message: string) => void;
};

export const ingestRounds = async (files: TempFiles, options: IngestRoundsOptions): Promise<IngestRounds> => {
  const { runs, ingest, log } = options;
  const parseOnly: IngestRun[] = [];
  const durable: IngestRun[] = [];
  const explorer: IngestRun[] = [];
  const rawInsert: number[] = [];
  log(`building ${options.rawInsertRows.toLocaleString('en-US')} raw-log rows for the insert baseline`);
  const rows = rawLogRows(options.rawInsertRows, ingest.eventsPerBody);
  for (let round = 1; round <= runs; round++) {
    log(`ingest round ${round}/${runs}: parse-only server`);
    parseOnly.push(await runIngest('parse-only', files.file('ingest-noop.db'), ingest));
    log(`ingest round ${round}/${runs}: durable server`);
    const rawFile = files.file('ingest-raw.db');
    durable.push(await runIngest('durable', rawFile, ingest));
    await removeDatabase(rawFile);
    log(`ingest round ${round}/${runs}: durable server with the explorer's index following`);
    const explorerDir = files.file(`ingest-explorer-${round}`);
    await mkdir(explorerDir);
    explorer.push(await runIngest('durable-explorer', join(explorerDir, 'raw.db'), ingest));
    await rm(explorerDir, { recursive: true, force: true });
    log(`ingest round ${round}/${runs}: raw insert baseline`);
    const baselineFile = files.file('baseline-raw.db');
    rawInsert.push(rawLogInsertBaseline(baselineFile, rows));
    await removeDatabase(baselineFile);
    await settle();
  }
  return { parseOnly, durable, explorer, rawInsert };
};

export const ingestFigures = ({ parseOnly, durable, explorer, rawInsert }: IngestRounds): Figure[] => [
  {
    id: 'ingest-durable-vs-raw-insert',
    label: 'HTTP ingest, 100-event batches, durable (raw log, synchronous=FULL)',
    unit: 'events/s',
    value: summarize(durable.map((r) => r.eventsPerSecond)),
    baseline: {
      label: 'better-sqlite3 insert, raw-log table, 1,000/tx, NORMAL',
      value: summarize(rawInsert),
    },
    target: 0.5,
  },
  {
    id: 'ingest-durable-vs-parse-only',
    label: 'HTTP ingest, 100-event batches, durable (raw log, synchronous=FULL)',
    unit: 'events/s',
    value: summarize(durable.map((r) => r.eventsPerSecond)),
    baseline: {
      label: 'same server, parse + validate only (no-op raw log)',
      value: summarize(parseOnly.map((r) => r.eventsPerSecond)),
    },
  },
  {
    id: 'ingest-explorer-vs-durable',
    label: "HTTP ingest, durable, with the explorer's raw-event index following the log",
    unit: 'events/s',
    value: summarize(explorer.map((r) => r.eventsPerSecond)),
    baseline: { label: 'the same server without the index', value: summarize(durable.map((r) => r.eventsPerSecond)) },
    target: 0.9,
  },
  ingestLatencyFigure(
    'ingest-latency-p50',
    'HTTP ingest, durable: p50 latency per request',
    durable,
    parseOnly,
    'p50Ms',
  ),
  ingestLatencyFigure(
    'ingest-latency-p99',
    'HTTP ingest, durable: p99 latency per request',
    durable,
    parseOnly,
    'p99Ms',
  ),
];

/** how many requests and events the group commit folded into one fsync (medians over the rounds) */
export const ingestGroupCommit = ({
  durable,
}: IngestRounds): { readonly eventsPerCommit: number; readonly requestsPerCommit: number } => ({
  eventsPerCommit: summarize(durable.map((r) => (r.commits ? r.stored / r.commits : 0))).median,
  requestsPerCommit: summarize(durable.map((r) => (r.commits ? (r.publishes ?? 0) / r.commits : 0))).median,
});

/** what went wrong in the runs: failed requests, or events stored that were not acknowledged (or the reverse) */
export const ingestNotes = ({ parseOnly, durable, explorer }: IngestRounds, ingest: IngestOptions): string[] => {
  const notes: string[] = [];
  for (const run of explorer) {
    notes.push(
      `durable ingest with the explorer's index: the index was ${run.indexBehind ?? '?'} events behind the log when the load stopped, ${run.indexCatchUpMs === undefined ? 'and had not caught up 120 s later' : `caught up ${(run.indexCatchUpMs / 1000).toFixed(1)} s later`}`,
    );
  }
  for (const run of [...parseOnly, ...durable, ...explorer]) {
    if (run.non2xx > 0 || run.errors > 0) {
      notes.push(`${run.mode} ingest run had ${run.non2xx} non-2xx answers and ${run.errors} connection errors`);
    }
    // autocannon stops with up to one request per connection in flight in each of its two
    // runs (warm-up and measured): the server stores those, but they are never counted as answered
    const inFlight = 2 * ingest.connections * ingest.eventsPerBody;
    if (run.stored < run.expectedStored || run.stored > run.expectedStored + inFlight) {
      notes.push(`${run.mode} ingest run stored ${run.stored} events for ${run.expectedStored} acknowledged`);
    }
  }
  return notes;
};
