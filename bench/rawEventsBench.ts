import Database from 'better-sqlite3';
import type { RawEventOutcome } from '../application/ports/rawEventIndex/rawEventIndex.ts';
import type { IngestedEvent } from '../domain/raw/rawEvent.ts';
import { SqliteRawEventIndex } from '../infrastructure/sqlite/rawEventIndex/sqliteRawEventIndex.ts';
import type { Figure } from './report.ts';
import { summarize } from './stats.ts';
import type { TempFiles } from './tempFiles.ts';

export type RawEventsRun = {
  readonly events: number;
  readonly users: number;
  /** one user's newest page (50) through the index adapter, ms */
  readonly query: { readonly p50: number; readonly p99: number };
  /** the baseline: the same SELECT on a bare better-sqlite3 connection, rows not decoded, ms */
  readonly rawSql: { readonly p50: number; readonly p99: number };
};

/** the goal for one user's page at 1M raw events */
export const RAW_EVENTS_P99_GOAL_MS = 20;

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const timed = (count: number, run: (i: number) => unknown) => {
  const ms: number[] = [];
  return (async () => {
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await run(i);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
  })();
};

const T0 = Date.parse('2026-04-01T00:00:00.000Z');

/** a browser-sized raw event: user `i % users`, one a second, a third of them page views */
const eventOf = (i: number, users: number): IngestedEvent => {
  const at = new Date(T0 + i * 1_000).toISOString();
  const base = { messageId: `m-${i}`, userId: `user-${i % users}`, timestamp: at, receivedAt: at };
  return i % 3 === 0
    ? ({
        ...base,
        type: 'page',
        properties: { path: `/app/${i % 40}`, url: `https://x.test/app/${i % 40}` },
      } as IngestedEvent)
    : ({
        ...base,
        type: 'track',
        event: 'Element Clicked',
        properties: { selector: '#buy', text: 'Buy now' },
      } as IngestedEvent);
};

/** Fills `file` with `events` rows of `users` users, as the index is written: stored, then the outcome. */
export const loadRawEvents = async (file: string, events: number, users: number): Promise<void> => {
  const index = new SqliteRawEventIndex(file);
  try {
    for (let from = 0; from < events; from += 5_000) {
      const batch = Array.from({ length: Math.min(5_000, events - from) }, (_, k) => eventOf(from + k, users));
      const outcomes = batch.map(
        (event): RawEventOutcome =>
          event.type === 'page'
            ? {
                event,
                status: 'mapped',
                journeyEvents: [{ id: `je-${event.messageId}`, type: 'PageViewed', rule: 'page-viewed' }],
              }
            : { event, status: 'unmapped', journeyEvents: [] },
      );
      await index.record({ stored: batch });
      await index.record({ outcomes });
    }
  } finally {
    await index.close();
  }
};

/**
 * The explorer's main question, one user's newest raw events, on a loaded file, beside the same
 * SELECT on a bare connection.
 */
export const runRawEvents = async (
  file: string,
  events: number,
  users: number,
  queries: number,
): Promise<RawEventsRun> => {
  const index = new SqliteRawEventIndex(file);
  try {
    const raw = new Database(file, { readonly: true });
    try {
      const select = raw.prepare(
        'SELECT * FROM raw_event_index WHERE user_key = ? ORDER BY received_at DESC, message_id DESC LIMIT 50',
      );
      const userOf = (i: number) => `user-${(i * 7_919) % users}`;
      // warm, as a running API's index is: one untimed pass over the same questions
      await timed(queries, (i) => index.query({ userId: userOf(i) }, { limit: 50 }));
      await timed(queries, (i) => select.all(userOf(i)));
      const query = await timed(queries, (i) => index.query({ userId: userOf(i) }, { limit: 50 }));
      const rawSql = await timed(queries, (i) => select.all(userOf(i)));
      return { events, users, query, rawSql };
    } finally {
      raw.close();
    }
  } finally {
    await index.close();
  }
};

/** `runs` rounds of `runRawEvents` as bench figures, and the goal's verdict for the summary */
export const rawEventsFigures = async (
  files: TempFiles,
  events: number,
  runs: number,
  log: (message: string) => void,
): Promise<{ figures: Figure[]; line: string }> => {
  const results: RawEventsRun[] = [];
  const users = Math.max(1, Math.round(events / 50));
  // loaded once: the rounds measure the query, and a million rows take minutes to write
  const file = files.file('raw-events.db');
  log(
    `raw-event explorer: loading ${events.toLocaleString('en-US')} raw events of ${users.toLocaleString('en-US')} users`,
  );
  await loadRawEvents(file, events, users);
  for (let round = 1; round <= runs; round++) {
    log(`raw-event explorer round ${round}/${runs}`);
    results.push(await runRawEvents(file, events, users, 2_000));
  }
  const p99 = summarize(results.map((r) => r.query.p99));
  const label = `explorer: one user's raw events, ${events.toLocaleString('en-US')} rows, limit 50`;
  const figures: Figure[] = [
    {
      id: 'raw-events-user-p50',
      label: `${label}, p50`,
      unit: 'ms',
      value: summarize(results.map((r) => r.query.p50)),
      baseline: { label: 'the same SELECT, bare connection, p50', value: summarize(results.map((r) => r.rawSql.p50)) },
    },
    {
      id: 'raw-events-user-p99',
      label: `${label}, p99`,
      unit: 'ms',
      value: p99,
      baseline: { label: 'the same SELECT, bare connection, p99', value: summarize(results.map((r) => r.rawSql.p99)) },
    },
  ];
  const verdict = p99.median < RAW_EVENTS_P99_GOAL_MS ? 'PASS' : 'MISS';
  return {
    figures,
    line: `raw-event explorer at ${events.toLocaleString('en-US')} rows: one user's page p99 ${p99.median.toFixed(2)} ms (goal < ${RAW_EVENTS_P99_GOAL_MS} ms: ${verdict})`,
  };
};
