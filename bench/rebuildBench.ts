import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../application/ports/clock.ts';
import { JourneyQueries } from '../application/queries/journeyQueries.ts';
import { eventStoreFor } from '../apps/journey/adapters.ts';
import { splitReadModelQueries } from '../apps/journey/splitReadModelQueries.ts';
import { readModelFileOf } from '../apps/projector/journeyProjections.ts';
import { rebuildInThreads } from '../apps/projector/rebuildInThreads.ts';
import { type RebuildableProjection, rebuildableProjectionsOf } from '../apps/projector/rebuildTargets.ts';
import { loadConfig } from '../infrastructure/config/config.ts';
import { loadRules } from '../infrastructure/config/loadRules.ts';
import { SqliteReadModels } from '../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import { eventsInsertBaseline, orderedScanBaseline } from './baselines.ts';
import { eventRows, journeyDeliveries } from './eventFactory.ts';
import { perSecond, type Summary, summarize } from './stats.ts';
import type { TempFiles } from './tempFiles.ts';

/**
 * `journey projections rebuild` over a filled SQLite event store: events/s beside a raw ordered scan
 * of the same table, then funnel and journey query latency on the rebuilt models. Alone: `node
 * bin/run.js bench/rebuildMain.ts [events] [projections]`.
 */

export type RebuildStore = {
  readonly dataDir: string;
  readonly file: string;
  readonly count: number;
  readonly users: number;
};

/** the events table filled directly, in the mapper's order (faster to set up than appending 1M events) */
export const prepareRebuildStore = async (
  files: TempFiles,
  count: number,
  /** each delivery's `ActivitiesRecorded` beside the journey events, as the mapper appends them for sessions */
  withActivity = false,
): Promise<RebuildStore> => {
  const dataDir = files.file(withActivity ? 'rebuild-with-activity' : 'rebuild');
  await mkdir(dataDir);
  const file = join(dataDir, 'events.db');
  const rows = eventRows(journeyDeliveries(count, loadRules(undefined), 17, 500, withActivity));
  eventsInsertBaseline(file, rows);
  const users = new Set(rows.map((r) => r[0])).size;
  return { dataDir, file, count: rows.length, users };
};

export type RebuildRun = { readonly eventsPerSecond: number; readonly seconds: number; readonly scanPerSecond: number };

/** one rebuild of `names` (a first one starts from empty live tables, as a new version does) beside one ordered scan */
export const runRebuild = async (
  source: RebuildStore,
  names?: readonly RebuildableProjection[],
): Promise<RebuildRun> => {
  const scan = orderedScanBaseline(source.file);
  const config = loadConfig({ JOURNEY_DATA_DIR: source.dataDir, LOG_LEVEL: 'warn' });
  const eventStore = eventStoreFor(config);
  try {
    // as `journey projections rebuild` does it
    const start = performance.now();
    await rebuildInThreads(config, eventStore, names ?? rebuildableProjectionsOf(config), systemClock, {
      holder: { pid: process.pid, host: hostname(), since: new Date().toISOString() },
    });
    const end = performance.now();
    return {
      eventsPerSecond: perSecond(source.count, start, end),
      seconds: (end - start) / 1000,
      scanPerSecond: scan.rowsPerSecond,
    };
  } finally {
    await eventStore.close();
  }
};

export type QueryLatencies = {
  readonly funnel: Summary & { readonly p99: number };
  /** raw better-sqlite3 in the same run: COUNT(*) of users signed up by T, over the sign-up index */
  readonly rawSignupCount: Summary & { readonly p99: number };
  /** the funnel counted per user (`stageSummaries`), as before the stage deltas: a few samples */
  readonly perUserFunnel: Summary & { readonly p99: number };
  readonly journey: Summary & { readonly p99: number };
  /** raw better-sqlite3: the timeline rows of one user by the same index, no Journey code */
  readonly rawJourney: Summary & { readonly p99: number };
  readonly users: number;
};

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
export const withP99 = (samples: number[]): Summary & { p99: number } => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { ...summarize(samples), p99: percentile(sorted, 99) };
};

/** latency of `JourneyQueries.funnel` and `.journey` on the rebuilt read models, as the API calls them */
export const queryLatencies = async (
  source: RebuildStore,
  options: { readonly funnels: number; readonly journeys: number; readonly perUserFunnels?: number },
): Promise<QueryLatencies> => {
  const config = loadConfig({ JOURNEY_DATA_DIR: source.dataDir, LOG_LEVEL: 'warn' });
  const windowDays = config.JOURNEY_ACTIVE_WINDOW_DAYS;
  const timeline = new SqliteReadModels(readModelFileOf(config, 'timeline'), { windowDays });
  const users = new SqliteReadModels(readModelFileOf(config, 'users'), { windowDays });
  const raw = new Database(readModelFileOf(config, 'timeline'), { readonly: true });
  const rawUsers = new Database(readModelFileOf(config, 'users'), { readonly: true });
  try {
    const split = splitReadModelQueries(timeline, users);
    const queries = new JourneyQueries(split, windowDays);
    // a store without stage deltas for this window: the funnel counts every user's summary
    const perUser = new JourneyQueries({ ...split, stageCounts: async () => undefined }, windowDays);
    const ids = new Database(readModelFileOf(config, 'users'), { readonly: true })
      .prepare<[], { user_id: string }>('SELECT user_id FROM users')
      .all()
      .map((r) => r.user_id);
    const span = new Database(readModelFileOf(config, 'users'), { readonly: true })
      .prepare<[], { first: string; last: string }>(
        'SELECT min(first_seen_at) AS first, max(last_seen_at) AS last FROM users',
      )
      .get();
    const first = Date.parse(span?.first ?? '2026-03-10T00:00:00Z');
    const last = Date.parse(span?.last ?? '2026-03-11T00:00:00Z');
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const funnel: number[] = [];
    const rawSignupCount: number[] = [];
    const countStmt = rawUsers.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM users WHERE signed_up_at IS NOT NULL AND signed_up_at <= ?',
    );
    // any instant, not only ends of days: from the first event to a day after the last
    const instant = () => new Date(first + random() * (last - first + 86_400_000)).toISOString();
    for (let i = 0; i < options.funnels; i++) {
      const asOf = instant();
      let t = performance.now();
      await queries.funnel(asOf);
      funnel.push(performance.now() - t);
      t = performance.now();
      countStmt.get(asOf);
      rawSignupCount.push(performance.now() - t);
    }
    const perUserFunnel: number[] = [];
    for (let i = 0; i < (options.perUserFunnels ?? 5); i++) {
      const asOf = instant();
      const t = performance.now();
      const slow = await perUser.funnel(asOf);
      perUserFunnel.push(performance.now() - t);
      // the same answer both ways, or the figure means nothing
      if (JSON.stringify(slow) !== JSON.stringify(await queries.funnel(asOf))) {
        throw new Error(`the funnel at ${asOf} differs between the stage deltas and the per-user count`);
      }
    }
    const journey: number[] = [];
    const rawJourney: number[] = [];
    const rawStmt = raw.prepare('SELECT * FROM timeline WHERE user_id = ? ORDER BY occurred_at, seq');
    for (let i = 0; i < options.journeys; i++) {
      const userId = ids[Math.floor(random() * ids.length)] ?? '';
      let t = performance.now();
      await queries.journey(userId, last);
      journey.push(performance.now() - t);
      t = performance.now();
      rawStmt.all(userId);
      rawJourney.push(performance.now() - t);
    }
    return {
      funnel: withP99(funnel),
      rawSignupCount: withP99(rawSignupCount),
      perUserFunnel: withP99(perUserFunnel),
      journey: withP99(journey),
      rawJourney: withP99(rawJourney),
      users: ids.length,
    };
  } finally {
    raw.close();
    rawUsers.close();
    await timeline.close();
    await users.close();
  }
};
