import { randomUUID } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { IngestEvents } from '../application/ingest/ingestEvents.ts';
import { MapRawEvents } from '../application/mapping/mapRawEvents.ts';
import { systemClock } from '../application/ports/clock.ts';
import type { CompiledRules } from '../domain/mapping/compileRules.ts';
import { SqliteEventStore } from '../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import { SqliteRawLog } from '../infrastructure/sqlite/rawLog/sqliteRawLog.ts';
import { countSqliteCommits } from '../testing/sqlite/countSqliteCommits.ts';
import { countCalls } from './countCalls.ts';
import { rawEvents } from './eventFactory.ts';
import { perSecond } from './stats.ts';
import { removeDatabase, type TempFiles } from './tempFiles.ts';

/**
 * Mapper + append: the real consume loop (`rawLog.consume` with group 'mapper' and
 * MapRawEvents with the default rules) over a SqliteRawLog into a SqliteEventStore, timed
 * until `pending('mapper')` is 0.
 */

export type MapperSource = { readonly file: string; readonly count: number };

export type MapperRun = {
  readonly eventsPerSecond: number;
  readonly rawEvents: number;
  /** journey and identity events the store holds afterwards */
  readonly appended: number;
  readonly appends: number;
  readonly commits: number;
};

/**
 * Fills a raw log once through the collector's use case (validated and stamped as in
 * production). Each run maps a copy of it, so every run starts from the same log.
 */
export const prepareMapperSource = async (files: TempFiles, count: number): Promise<MapperSource> => {
  const file = files.file('mapper-source-raw.db');
  const rawLog = new SqliteRawLog(file);
  const ingest = new IngestEvents(rawLog, systemClock, () => randomUUID());
  const events = rawEvents(count, 11);
  const batch = 500;
  // several requests in flight, as under HTTP load, so the group commit shares fsyncs
  const inFlight = 8;
  for (let start = 0; start < events.length; start += batch * inFlight) {
    const requests = [];
    for (let i = start; i < Math.min(events.length, start + batch * inFlight); i += batch) {
      requests.push(ingest.execute({ events: events.slice(i, i + batch), source: 'bench' }));
    }
    for (const result of await Promise.all(requests)) {
      if (result.rejected.length > 0) throw new Error(`demo events rejected: ${JSON.stringify(result.rejected[0])}`);
    }
  }
  const stored = await rawLog.pending('mapper');
  // closing the last connection checkpoints the WAL into the file, so a plain copy is complete
  await rawLog.close();
  if (stored !== count) throw new Error(`the source raw log holds ${stored} events, expected ${count}`);
  return { file, count };
};

export const runMapper = async (files: TempFiles, source: MapperSource, rules: CompiledRules): Promise<MapperRun> => {
  const rawFile = files.file('mapper-raw.db');
  const eventsFile = files.file('mapper-events.db');
  await copyFile(source.file, rawFile);
  const rawLog = new SqliteRawLog(rawFile);
  // the group commit's figure, counted from outside the store: its commits and the appends it coalesced
  const commits = countSqliteCommits();
  const store = new SqliteEventStore(eventsFile);
  const appends = countCalls(store, 'append');
  const mapper = new MapRawEvents(store, rawLog, rules);
  try {
    const opened = commits.of(eventsFile);
    let handled = 0;
    let allHandled: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allHandled = resolve;
    });
    const start = performance.now();
    const consumer = rawLog.consume({ group: 'mapper' }, async (delivery) => {
      await mapper.handle(delivery);
      handled += delivery.events.length;
      if (handled >= source.count) allHandled();
    });
    // pending() counts the rest of the log, so it is asked only at the end, not polled throughout
    await done;
    while ((await rawLog.pending('mapper')) > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const end = performance.now();
    await consumer.stop();
    const head = await store.headPosition();
    return {
      eventsPerSecond: perSecond(source.count, start, end),
      rawEvents: source.count,
      appended: head === null ? 0 : Number(head.commit),
      appends: appends.count,
      commits: commits.of(eventsFile) - opened,
    };
  } finally {
    commits.stop();
    await rawLog.close();
    await store.close();
    await removeDatabase(rawFile);
    await removeDatabase(eventsFile);
  }
};
