import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mappedOutcome, rawEvent } from '../../../application/ports/rawEventIndex/rawEventIndex.fixtures.ts';
import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { tempDataDir } from '../../../testing/tempDataDir.ts';
import { SqliteRawLog } from '../rawLog/sqliteRawLog.ts';
import { SqliteRawEventIndex } from './sqliteRawEventIndex.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('copystored');
});
afterAll(async () => {
  await files.remove();
});

/** a raw log and an index beside it in a new data directory, as `journey start` keeps them */
const setUp = async () => {
  const data = await tempDataDir('copystored');
  const rawFile = join(data.dir, 'raw.db');
  const log = new SqliteRawLog(rawFile);
  const indexFile = join(data.dir, 'rawevents.db');
  const index = new SqliteRawEventIndex(indexFile, { rawLogFile: rawFile });
  return {
    rawFile,
    indexFile,
    log,
    index,
    async cleanup() {
      await index.close();
      await log.close();
      await data.remove();
    },
  };
};

const rowsOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM raw_event_index ORDER BY message_id').all();
  } finally {
    db.close();
  }
};

// every kind of row the JavaScript path writes: a user's track, an anonymous page view (linked or
// not), an identify, fields absent, a payload with nested and unicode data
const mix = (): IngestedEvent[] => [
  rawEvent('m1', 1, { properties: { nested: { a: [1, 2, { b: 'é ✓ "q"' }] } } }),
  rawEvent('m2', 2, { type: 'page', userId: undefined, anonymousId: 'anon-1', event: undefined } as never),
  rawEvent('m3', 3, { type: 'page', userId: undefined, anonymousId: 'anon-2', event: undefined } as never),
  rawEvent('m4', 4, { type: 'identify', userId: 'bob', anonymousId: 'anon-2', event: undefined } as never),
  rawEvent('m5', 5, { event: 'Signed Up', userId: 'carol', anonymousId: 'anon-3' }),
];
const clean = (event: IngestedEvent) => JSON.parse(JSON.stringify(event)) as IngestedEvent;

describe('copying stored events from the attached raw log', () => {
  it('gives exactly the rows RawEventIndex.record gives for the same stored events', async () => {
    const t = await setUp();
    const viaRecord = new SqliteRawEventIndex(files.file());
    try {
      const link = { anonymousId: 'anon-1', userId: 'ada' };
      const events = mix().map(clean);
      await t.log.publish(events);
      await t.index.record({ links: [link] });
      await viaRecord.record({ links: [link] });
      expect(await t.index.copyStored(100)).toEqual({ read: 5, copied: 5, logHead: 5 });
      await viaRecord.record({ stored: events });
      expect(rowsOf(t.indexFile)).toEqual(rowsOf((viaRecord as unknown as { file: string }).file));
      expect(await t.index.headVersion()).toBe(await viaRecord.headVersion());
      expect(await t.index.storedBehind()).toBe(0);
    } finally {
      await viaRecord.close();
      await t.cleanup();
    }
  });

  it('goes on from where it got, keeps an outcome that came first, and tells the changes as new versions', async () => {
    const t = await setUp();
    try {
      const [first, second, third] = [rawEvent('a', 1), rawEvent('b', 2), rawEvent('c', 3)];
      await t.log.publish([first, second, third] as IngestedEvent[]);
      expect(await t.index.copyStored(2)).toMatchObject({ read: 2, copied: 2 });
      expect(await t.index.storedBehind()).toBe(1);
      await t.index.record({ outcomes: [mappedOutcome(third as IngestedEvent)] });
      const before = await t.index.headVersion();
      expect(await t.index.copyStored(10)).toMatchObject({ read: 1, copied: 0 });
      expect(await t.index.copyStored(10)).toEqual({ read: 0, copied: 0, logHead: 3 });
      const statuses = (await t.index.query({}, { limit: 10 })).events.map((e) => [e.messageId, e.status]);
      expect(statuses).toEqual([
        ['c', 'mapped'],
        ['b', 'pending'],
        ['a', 'pending'],
      ]);
      await t.log.publish([rawEvent('d', 4)]);
      await t.index.copyStored(10);
      const { changes } = await t.index.changesSince(before, {}, 10);
      expect(changes.map((c) => c.messageId)).toEqual(['d']);
    } finally {
      await t.cleanup();
    }
  });

  it("starts where the raw log's explorer group left off, and survives a reopen", async () => {
    const t = await setUp();
    try {
      await t.log.publish([rawEvent('old', 1), rawEvent('new', 2)]);
      // what an index that followed the `explorer` group before had read and acknowledged
      const db = new Database(t.rawFile);
      db.prepare("INSERT INTO consumer_offsets (group_name, seq) VALUES ('explorer', 1)").run();
      db.close();
      expect(await t.index.copyStored(10)).toMatchObject({ read: 1, copied: 1 });
      await t.index.close();
      const again = new SqliteRawEventIndex(t.indexFile, { rawLogFile: t.rawFile });
      expect(await again.copyStored(10)).toMatchObject({ read: 0 });
      expect((await again.query({}, { limit: 10 })).events.map((e) => e.messageId)).toEqual(['new']);
      await again.close();
    } finally {
      await t.cleanup();
    }
  });

  it('copies a raw log started anew from its start', async () => {
    const t = await setUp();
    try {
      await t.log.publish([rawEvent('a', 1), rawEvent('b', 2)]);
      await t.index.copyStored(10);
      const db = new Database(t.rawFile);
      db.exec('DELETE FROM raw_events');
      db.close();
      await t.log.publish([rawEvent('c', 3)]);
      await t.index.copyStored(10); // sees the log behind where it got
      expect(await t.index.copyStored(10)).toMatchObject({ read: 1, copied: 1 });
    } finally {
      await t.cleanup();
    }
  });

  it("never waits for the raw log's write lock: its writes go on while the collector commits", async () => {
    const t = await setUp();
    const collector = new Database(t.rawFile);
    try {
      await t.log.publish([rawEvent('a', 1)]);
      (t.index as unknown as { db: Database.Database }).db.pragma('busy_timeout = 100');
      // BEGIN IMMEDIATE in the index's connection would wait for this lock, then fail
      collector.exec('BEGIN IMMEDIATE');
      await t.index.record({ stored: [rawEvent('b', 2)] });
      expect(await t.index.copyStored(10)).toMatchObject({ read: 1, copied: 1 });
    } finally {
      if (collector.inTransaction) collector.exec('ROLLBACK');
      collector.close();
      await t.cleanup();
    }
  });

  it('tells what to do when the raw log is missing, and when the index was opened without it', async () => {
    await expect(
      async () => new SqliteRawEventIndex(files.file(), { rawLogFile: '/nonexistent/raw.db' }),
    ).rejects.toThrow(/open the raw log \(SqliteRawLog\) on that file before the index/);
    const plain = new SqliteRawEventIndex(files.file());
    await expect(plain.copyStored(1)).rejects.toThrow(/pass rawLogFile/);
    await plain.close();
  });
});
