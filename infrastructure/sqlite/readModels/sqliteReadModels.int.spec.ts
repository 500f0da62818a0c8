import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReadModelStoreContract } from '../../../application/ports/readModels/readModels.contract.ts';
import { applyNext, pos, timelineEntry } from '../../../application/ports/readModels/readModels.fixtures.ts';
import { describeReadModelSeriesContract } from '../../../application/ports/readModels/readModelsSeries.contract.ts';
import {
  applyHappenings,
  perUserStageCounts,
  probesOf,
  stageCountsDataset,
} from '../../../application/ports/readModels/readModelsStageCounts.contract.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { openDatabase } from '../openDatabase.ts';
import { SqliteReadModels } from './sqliteReadModels.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('readmodels');
});
afterAll(async () => {
  await files.remove();
});

describeReadModelStoreContract('sqlite', async () => {
  const store = new SqliteReadModels(files.file());
  return { store, cleanup: () => store.close() };
});

describe('SqliteReadModels', () => {
  it('keeps read models and checkpoints across a reopen', async () => {
    const file = files.file();
    const first = new SqliteReadModels(file);
    await applyNext(first, (w) => {
      w.putProfile({
        userId: 'u1',
        signedUpAt: '2026-01-01T00:00:00.000Z',
        firstSeenAt: '2026-01-01T00:00:00.000Z',
        lastSeenAt: '2026-01-01T00:00:00.000Z',
        eventCount: 1,
        lastEventType: 'UserSignedUp',
      });
      w.addActivity('u1', '2026-01-01T10:00:00.000Z');
    });
    await first.close();
    const second = new SqliteReadModels(file);
    expect(await second.readCheckpoint('journey')).toEqual(pos(1));
    expect(await second.stageSummaries('2026-01-02T00:00:00.000Z')).toEqual([
      {
        userId: 'u1',
        signedUpAt: '2026-01-01T00:00:00.000Z',
        activeDays: 1,
        lastActivityAt: '2026-01-01T10:00:00.000Z',
      },
    ]);
    await second.close();
  });

  it('stores instants that are not in toISOString form in that form, so they compare as time', async () => {
    const store = new SqliteReadModels(files.file());
    await applyNext(store, (w) =>
      w.addTimelineEntry({
        userId: 'u1',
        eventId: 'e1',
        type: 'PageViewed',
        occurredAt: '2026-01-01T01:00:00+01:00',
        data: {},
        ruleId: 'r',
        sourceMessageIds: ['m'],
      }),
    );
    expect((await store.getJourney('u1'))[0]?.occurredAt).toBe('2026-01-01T00:00:00.000Z');
    await store.close();
  });
});

describe('SqliteReadModels on a file from before timeline positions', () => {
  it('adds the position columns on open, and reads the rows it holds as before any position', async () => {
    const file = files.file();
    const old = openDatabase(file, { synchronous: 'NORMAL' });
    old.exec(`CREATE TABLE timeline (seq INTEGER PRIMARY KEY, user_id TEXT NOT NULL, occurred_at TEXT NOT NULL,
      event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, rule_id TEXT NOT NULL,
      source_message_ids TEXT NOT NULL);
      CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position TEXT NOT NULL);
      INSERT INTO timeline (user_id, occurred_at, event_id, type, data, rule_id, source_message_ids)
      VALUES ('u1', '2026-01-01T00:00:00.000Z', 'old', 'PageViewed', '{}', 'r', '["m"]');
      INSERT INTO checkpoints VALUES ('timeline', '1/1');`);
    old.close();
    const store = new SqliteReadModels(file);
    await store.applyBatch('timeline', { from: pos(1), to: pos(3) }, (w) => {
      w.addTimelineEntry(timelineEntry('u1', 'new', '2026-01-02T00:00:00.000Z', { position: pos(3) }));
    });
    expect(await store.getJourney('u1')).toEqual([
      timelineEntry('u1', 'old', '2026-01-01T00:00:00.000Z', {
        type: 'PageViewed',
        data: {},
        ruleId: 'r',
        sourceMessageIds: ['m'],
      }),
      timelineEntry('u1', 'new', '2026-01-02T00:00:00.000Z', { position: pos(3) }),
    ]);
    const cut = await store.journeySnapshot('u1', pos(2), 'timeline');
    expect(cut).toMatchObject({ position: pos(3), entries: [{ eventId: 'old' }] });
    await store.close();
  });
});

describe('SqliteReadModels bulk load', () => {
  const indexNames = (file: string): string[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name",
        )
        .all()
        .map((r) => r.name);
    } finally {
      db.close();
    }
  };
  const entry = (i: number) => ({
    userId: `u${i % 3}`,
    eventId: `e${i}`,
    type: 'PageViewed',
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 100 - i)).toISOString(),
    data: { i },
    ruleId: 'r',
    sourceMessageIds: [`m${i}`],
  });

  it('drops the query indexes of an empty file, and builds them again at the end with the same answers', async () => {
    const file = files.file();
    const store = new SqliteReadModels(file);
    const indexes = indexNames(file);
    expect(indexes).toContain('timeline_by_user_time');
    expect(await store.beginBulkLoad()).toBe(true);
    expect(indexNames(file)).toEqual([]);
    await applyNext(store, (w) => {
      for (let i = 0; i < 30; i++) w.addTimelineEntry(entry(i));
    });
    const withoutIndexes = await store.getJourney('u1');
    await store.endBulkLoad();
    expect(indexNames(file)).toEqual(indexes);
    expect(await store.getJourney('u1')).toEqual(withoutIndexes);
    expect(withoutIndexes.map((e) => e.eventId)).toEqual([
      'e28',
      'e25',
      'e22',
      'e19',
      'e16',
      'e13',
      'e10',
      'e7',
      'e4',
      'e1',
    ]);
    await store.close();
  });

  it('keeps the indexes of a file that holds rows already', async () => {
    const file = files.file();
    const store = new SqliteReadModels(file);
    await applyNext(store, (w) => w.addTimelineEntry(entry(1)));
    const indexes = indexNames(file);
    expect(await store.beginBulkLoad()).toBe(false);
    expect(indexNames(file)).toEqual(indexes);
    await store.close();
  });

  it('gets its indexes back on the next open after a bulk load that never ended (a crash)', async () => {
    const file = files.file();
    const first = new SqliteReadModels(file);
    const indexes = indexNames(file);
    expect(await first.beginBulkLoad()).toBe(true);
    await first.close();
    const second = new SqliteReadModels(file);
    expect(indexNames(file)).toEqual(indexes);
    await second.close();
  });
});

describe('SqliteReadModels bulk load groups', () => {
  const happenings = stageCountsDataset(21, 60);
  /** batches `from` to `to` (excluded) of the happenings cut into `n` */
  const inBatches = async (store: SqliteReadModels, n: number, from = 0, to = n) => {
    const size = Math.ceil(happenings.length / n);
    for (let i = from; i < to; i++) {
      const result = await store.applyBatch('journey', { from: i === 0 ? null : pos(i), to: pos(i + 1) }, (w) =>
        applyHappenings(w, happenings.slice(i * size, (i + 1) * size)),
      );
      expect(result).toEqual({ kind: 'stored' });
    }
  };
  const contentOf = async (store: SqliteReadModels) => {
    const probes = probesOf(happenings).filter((_, i) => i % 4 === 0);
    return {
      profiles: await store.getProfiles(happenings.map((h) => h.userId)),
      summaries: await Promise.all(probes.map((asOf) => store.stageSummaries(asOf))),
      counts: await Promise.all(probes.map((asOf) => store.stageCounts(asOf, 15))),
    };
  };

  it('writes what its batches applied only at commitBulkLoad, with the same content as batch by batch', async () => {
    const plain = new SqliteReadModels(files.file(), { windowDays: 15 });
    await inBatches(plain, 7);
    const file = files.file();
    const bulk = new SqliteReadModels(file, { windowDays: 15 });
    const other = new SqliteReadModels(file, { windowDays: 15 });
    expect(await bulk.beginBulkLoad()).toBe(true);
    await inBatches(bulk, 7, 0, 4);
    // another connection sees the last commit: nothing yet
    expect(await other.readCheckpoint('journey')).toBeNull();
    expect(await other.getProfiles(happenings.map((h) => h.userId))).toEqual([]);
    await bulk.commitBulkLoad();
    expect(await other.readCheckpoint('journey')).toEqual(pos(4));
    await inBatches(bulk, 7, 4);
    await bulk.endBulkLoad();
    expect(await other.readCheckpoint('journey')).toEqual(pos(7));
    expect(await contentOf(other)).toEqual(await contentOf(plain));
    for (const s of [plain, bulk, other]) await s.close();
  });

  it('rolls the whole group back when a batch fails, and goes on correctly from the last commit', async () => {
    const plain = new SqliteReadModels(files.file(), { windowDays: 15 });
    await inBatches(plain, 6);
    const bulk = new SqliteReadModels(files.file(), { windowDays: 15 });
    expect(await bulk.beginBulkLoad()).toBe(true);
    await inBatches(bulk, 6, 0, 2);
    await bulk.commitBulkLoad();
    await inBatches(bulk, 6, 2, 4);
    await expect(
      bulk.applyBatch('journey', { from: pos(4), to: pos(5) }, (w) => {
        applyHappenings(w, happenings.slice(0, 5));
        throw new Error('the projection failed');
      }),
    ).rejects.toThrow('the projection failed');
    expect(await bulk.readCheckpoint('journey')).toEqual(pos(2));
    // batches 3 and 4 again, then the rest, as the runner does after reading the checkpoint
    await inBatches(bulk, 6, 2);
    await bulk.endBulkLoad();
    expect(await contentOf(bulk)).toEqual(await contentOf(plain));
    await plain.close();
    await bulk.close();
  });

  it('answers a mismatch when another writer moved the checkpoint before its group began', async () => {
    const file = files.file();
    const bulk = new SqliteReadModels(file, { windowDays: 15 });
    expect(await bulk.beginBulkLoad()).toBe(true);
    const other = new SqliteReadModels(file, { windowDays: 15 });
    await applyNext(other, (w) => applyHappenings(w, happenings.slice(0, 3)));
    expect(await bulk.applyBatch('journey', { from: null, to: pos(1) }, () => {})).toEqual({
      kind: 'mismatch',
      current: pos(1),
    });
    await bulk.endBulkLoad();
    await bulk.close();
    await other.close();
  });
});

describe('SqliteReadModels stage deltas', () => {
  const happenings = stageCountsDataset(11);

  it('derives them again on open for another window, and answers only for the window it keeps', async () => {
    const file = files.file();
    const first = new SqliteReadModels(file, { windowDays: 15 });
    await applyNext(first, (w) => applyHappenings(w, happenings));
    await first.close();
    const second = new SqliteReadModels(file, { windowDays: 3 });
    expect(await second.stageCounts('2026-01-20T00:00:00.000Z', 15)).toBeUndefined();
    for (const asOf of probesOf(happenings, 3)) {
      expect(await second.stageCounts(asOf, 3), asOf).toEqual(await perUserStageCounts(second, asOf, 3));
    }
    // and keeps them for that window through later batches
    await applyNext(second, (w) => applyHappenings(w, stageCountsDataset(12, 10)));
    for (const asOf of probesOf(happenings, 3).filter((_, i) => i % 5 === 0)) {
      expect(await second.stageCounts(asOf, 3), asOf).toEqual(await perUserStageCounts(second, asOf, 3));
    }
    await second.close();
    // unset: whatever window the file keeps
    const third = new SqliteReadModels(file);
    expect(await third.stageCounts('2026-01-20T00:00:00.000Z', 3)).toBeDefined();
    await third.close();
  });

  it('derives them on open for a file written before they existed', async () => {
    const file = files.file();
    const store = new SqliteReadModels(file, { windowDays: 15 });
    await applyNext(store, (w) => applyHappenings(w, happenings));
    await store.close();
    const db = openDatabase(file);
    db.exec('DROP TABLE stage_days; DROP TABLE stage_minutes; DROP TABLE stage_instants; DROP TABLE stage_window;');
    db.close();
    const reopened = new SqliteReadModels(file, { windowDays: 15 });
    for (const asOf of probesOf(happenings)) {
      expect(await reopened.stageCounts(asOf, 15), asOf).toEqual(await perUserStageCounts(reopened, asOf));
    }
    await reopened.close();
  });
});

describeReadModelSeriesContract('sqlite', async () => {
  const store = new SqliteReadModels(files.file());
  return { store, cleanup: () => store.close() };
});
