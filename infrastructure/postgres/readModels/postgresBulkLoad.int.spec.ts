import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyNext, pos } from '../../../application/ports/readModels/readModels.fixtures.ts';
import type { ReadModelWriter, TimelineEntry } from '../../../application/ports/readModels/readModels.ts';
import {
  applyHappenings,
  probesOf,
  stageCountsDataset,
} from '../../../application/ports/readModels/readModelsStageCounts.contract.ts';
import { type ReadModelDatabases, readModelDatabases } from '../../../testing/postgres/readModelDatabases.ts';
import { PostgresReadModels } from './postgresReadModels.ts';
import { READ_MODEL_INDEXES } from './readModelIndexes.ts';

let databases: ReadModelDatabases;
beforeAll(async () => {
  databases = await readModelDatabases();
}, 60_000);
afterAll(async () => {
  await databases?.stop();
});

const indexDefinitions = async (pool: pg.Pool): Promise<string[]> =>
  (
    await pool.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE schemaname = 'journey' AND indexname = ANY($1) ORDER BY indexname",
      [READ_MODEL_INDEXES.map((i) => i.name)],
    )
  ).rows.map((r) => r.indexdef);

const entry = (i: number) => ({
  userId: `u${i % 3}`,
  eventId: `e${i}`,
  type: 'PageViewed',
  occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 100 - i)).toISOString(),
  data: { i },
  ruleId: 'r',
  sourceMessageIds: [`m${i}`],
});

/** batch `n` of `projection`, from checkpoint n − 1: a bulk load's own checkpoint is ahead of the stored one */
const batch = async (
  store: PostgresReadModels,
  n: number,
  apply: (w: ReadModelWriter) => void,
  projection = 'journey',
) => {
  const result = await store.applyBatch(projection, { from: n === 1 ? null : pos(n - 1), to: pos(n) }, apply);
  expect(result).toEqual({ kind: 'stored' });
};

describe('PostgresReadModels bulk load', () => {
  it("drops the query indexes of empty tables and builds the migration's again at the end, with the same answers", async () => {
    const { store, pool, drop } = await databases.fresh();
    const migrated = await indexDefinitions(pool);
    expect(migrated).toHaveLength(READ_MODEL_INDEXES.length);
    expect(await store.beginBulkLoad()).toBe(true);
    expect(await indexDefinitions(pool)).toEqual([]);
    await applyNext(store, (w) => {
      for (let i = 0; i < 30; i++) w.addTimelineEntry(entry(i));
    });
    // queries read through the pool, so they see the group once committed
    await store.commitBulkLoad();
    const withoutIndexes = await store.getJourney('u1');
    await store.endBulkLoad();
    expect(await indexDefinitions(pool)).toEqual(migrated);
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
    await drop();
  });

  it('keeps the indexes of tables that hold rows already', async () => {
    const { store, pool, drop } = await databases.fresh();
    await applyNext(store, (w) => w.addTimelineEntry(entry(1)));
    expect(await store.beginBulkLoad()).toBe(false);
    expect(await indexDefinitions(pool)).toHaveLength(READ_MODEL_INDEXES.length);
    await drop();
  });

  it('keeps the first entry of an eventId within a group, across groups and after the load', async () => {
    const { store, drop } = await databases.fresh();
    const again = (i: number) => ({ ...entry(i), data: { again: i } });
    const add = (entries: TimelineEntry[]) => (w: ReadModelWriter) => {
      for (const e of entries) w.addTimelineEntry(e);
    };
    expect(await store.beginBulkLoad()).toBe(true);
    await batch(store, 1, add([entry(0), entry(1), entry(2)]));
    // e1 again in the same group: the group's COPY fails and its rows go in skipping known ids
    await batch(store, 2, add([again(1), entry(3)]));
    await store.commitBulkLoad();
    await batch(store, 3, add([again(3), entry(4)]));
    await store.endBulkLoad();
    await batch(store, 4, (w) => w.addTimelineEntry(again(4)));
    const journeys = [...(await store.getJourney('u0')), ...(await store.getJourney('u1'))];
    expect(journeys.map((e) => e.data)).toEqual(expect.arrayContaining([0, 1, 3, 4].map((i) => ({ i }))));
    expect(journeys).toHaveLength(4);
    await drop();
  });

  it('loads one projection per store: a second runner on the same store applies batch by batch', async () => {
    const { store, pool, drop } = await databases.fresh();
    const other = await PostgresReadModels.open(pool);
    expect(await store.beginBulkLoad()).toBe(true);
    expect(await store.beginBulkLoad()).toBe(false);
    await batch(store, 1, (w) => w.addTimelineEntry(entry(1)), 'timeline');
    await batch(store, 1, (w) => w.addActivity('u1', '2026-01-01T00:00:00.000Z'), 'users');
    // the users batch is committed already, the timeline's waits for commitBulkLoad
    expect(await other.readCheckpoint('users')).toEqual(pos(1));
    expect(await other.readCheckpoint('timeline')).toBeNull();
    await store.endBulkLoad();
    expect(await other.readCheckpoint('timeline')).toEqual(pos(1));
    await drop();
  });

  it('a group whose connection is lost ends the load: the runner goes on batch by batch, committed, with the indexes', async () => {
    const { store, pool, drop } = await databases.fresh();
    const migrated = await indexDefinitions(pool);
    expect(await store.beginBulkLoad()).toBe(true);
    await batch(store, 1, (w) => w.addTimelineEntry(entry(1)), 'timeline');
    // the server ends the group's sessions (its transaction, its COPY), as a restart does (57P01)
    const { rowCount } = await databases.admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state <> 'idle' AND datname = $1",
      [new URL(pool.options.connectionString ?? '').pathname.slice(1)],
    );
    expect(rowCount).toBeGreaterThan(0);
    await expect(store.endBulkLoad()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // the runner starts again from the stored checkpoint (none): this batch commits on its own
    await batch(store, 1, (w) => w.addTimelineEntry(entry(1)), 'timeline');
    expect(await store.readCheckpoint('timeline')).toEqual(pos(1));
    expect(await indexDefinitions(pool)).toEqual(migrated);
    await drop();
  });

  it('gets its indexes back on the next open after a bulk load that never ended (a crash)', async () => {
    const { store, pool, drop } = await databases.fresh();
    const migrated = await indexDefinitions(pool);
    expect(await store.beginBulkLoad()).toBe(true);
    // the process that starts after the crash, with a pool of its own (a pool checks once)
    const restarted = new pg.Pool({ connectionString: pool.options.connectionString, max: 1 });
    await PostgresReadModels.open(restarted);
    await restarted.end();
    expect(await indexDefinitions(pool)).toEqual(migrated);
    await drop();
  });
});

describe('PostgresReadModels bulk load groups', () => {
  const happenings = stageCountsDataset(21, 60);
  /** batches `from` to `to` (excluded) of the happenings cut into `n` */
  const inBatches = async (store: PostgresReadModels, n: number, from = 0, to = n) => {
    const size = Math.ceil(happenings.length / n);
    for (let i = from; i < to; i++) {
      const result = await store.applyBatch('journey', { from: i === 0 ? null : pos(i), to: pos(i + 1) }, (w) =>
        applyHappenings(w, happenings.slice(i * size, (i + 1) * size)),
      );
      expect(result).toEqual({ kind: 'stored' });
    }
  };
  const contentOf = async (store: PostgresReadModels) => {
    const probes = probesOf(happenings).filter((_, i) => i % 4 === 0);
    const profiles = await store.getProfiles(happenings.map((h) => h.userId));
    return {
      profiles: profiles.sort((a, b) => (a.userId < b.userId ? -1 : 1)),
      summaries: await Promise.all(probes.map((asOf) => store.stageSummaries(asOf))),
      counts: await Promise.all(probes.map((asOf) => store.stageCounts(asOf, 15))),
    };
  };

  it('writes what its batches applied only at commitBulkLoad, with the same content as batch by batch', async () => {
    const plain = await databases.fresh();
    await inBatches(plain.store, 7);
    const bulk = await databases.fresh();
    const other = await PostgresReadModels.open(bulk.pool);
    expect(await bulk.store.beginBulkLoad()).toBe(true);
    await inBatches(bulk.store, 7, 0, 4);
    // another connection sees the last commit: nothing yet
    expect(await other.readCheckpoint('journey')).toBeNull();
    expect(await other.getProfiles(happenings.map((h) => h.userId))).toEqual([]);
    await bulk.store.commitBulkLoad();
    expect(await other.readCheckpoint('journey')).toEqual(pos(4));
    await inBatches(bulk.store, 7, 4);
    await bulk.store.endBulkLoad();
    expect(await other.readCheckpoint('journey')).toEqual(pos(7));
    expect(await contentOf(other)).toEqual(await contentOf(plain.store));
    await plain.drop();
    await bulk.drop();
  });

  it('rolls the whole group back when a batch fails, and goes on correctly from the last commit', async () => {
    const plain = await databases.fresh();
    await inBatches(plain.store, 6);
    const { store, drop } = await databases.fresh();
    expect(await store.beginBulkLoad()).toBe(true);
    await inBatches(store, 6, 0, 2);
    await store.commitBulkLoad();
    await inBatches(store, 6, 2, 4);
    await expect(
      store.applyBatch('journey', { from: pos(4), to: pos(5) }, (w) => {
        applyHappenings(w, happenings.slice(0, 5));
        throw new Error('the projection failed');
      }),
    ).rejects.toThrow('the projection failed');
    expect(await store.readCheckpoint('journey')).toEqual(pos(2));
    // batches 3 and 4 again, then the rest, as the runner does after reading the checkpoint
    await inBatches(store, 6, 2);
    await store.endBulkLoad();
    expect(await contentOf(store)).toEqual(await contentOf(plain.store));
    await plain.drop();
    await drop();
  });

  it('answers a mismatch when another writer moved the checkpoint before its group began', async () => {
    const { store, pool, drop } = await databases.fresh();
    expect(await store.beginBulkLoad()).toBe(true);
    const other = await PostgresReadModels.open(pool);
    await applyNext(other, (w) => applyHappenings(w, happenings.slice(0, 3)));
    expect(await store.applyBatch('journey', { from: null, to: pos(1) }, () => {})).toEqual({
      kind: 'mismatch',
      current: pos(1),
    });
    await store.endBulkLoad();
    await drop();
  });
});
