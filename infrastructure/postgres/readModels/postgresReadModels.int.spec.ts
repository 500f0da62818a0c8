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
import { isUnavailableError } from '../../../domain/errors/journeyError.ts';
import { type ReadModelDatabases, readModelDatabases } from '../../../testing/postgres/readModelDatabases.ts';
import { connectPostgres } from '../connectPostgres.ts';
import { migrate } from '../migrations/migrate.ts';
import { migrations } from '../migrations/migrations.ts';
import { PostgresReadModels, type PostgresReadModelsOptions } from './postgresReadModels.ts';

let databases: ReadModelDatabases;
beforeAll(async () => {
  databases = await readModelDatabases();
}, 60_000);
afterAll(async () => {
  await databases?.stop();
});
const freshReadModels = (options?: PostgresReadModelsOptions) => databases.fresh(options);

describeReadModelStoreContract('postgres', async () => {
  const { store, drop } = await freshReadModels();
  return { store, cleanup: drop };
});

describeReadModelSeriesContract('postgres', async () => {
  const { store, drop } = await freshReadModels();
  return { store, cleanup: drop };
});

describe('PostgresReadModels', () => {
  it('stores instants that are not in toISOString form in that form, so they compare as time', async () => {
    const { store, drop } = await freshReadModels();
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
    await drop();
  });

  it('stores U+0000, which PostgreSQL text cannot hold, as U+FFFD rather than failing the batch', async () => {
    const { store, drop } = await freshReadModels();
    const data = { 'k\u0000': 'a\u0000b', escaped: '\\u0000 stays text' };
    await applyNext(store, (w) => {
      w.addTimelineEntry({ ...entry, data, type: 'Page\u0000Viewed' });
      w.putProfile({
        userId: 'u1',
        name: 'A\u0000',
        firstSeenAt: entry.occurredAt,
        lastSeenAt: entry.occurredAt,
        eventCount: 1,
        lastEventType: 'x',
      });
    });
    const [stored] = await store.getJourney('u1');
    expect(stored?.data).toEqual({ 'k\uFFFD': 'a\uFFFDb', escaped: '\\u0000 stays text' });
    expect(stored?.type).toBe('Page\uFFFDViewed');
    expect((await store.getProfile('u1'))?.name).toBe('A\uFFFD');
    await drop();
  });

  it('derives the stage deltas again on open for another window, and answers only for the window it keeps', async () => {
    const happenings = stageCountsDataset(11);
    const { store, pool, drop } = await freshReadModels({ windowDays: 15 });
    await applyNext(store, (w) => applyHappenings(w, happenings));
    const reopened = await PostgresReadModels.open(pool, { windowDays: 3 });
    expect(await reopened.stageCounts('2026-01-20T00:00:00.000Z', 15)).toBeUndefined();
    for (const asOf of probesOf(happenings, 3)) {
      expect(await reopened.stageCounts(asOf, 3), asOf).toEqual(await perUserStageCounts(reopened, asOf, 3));
    }
    // and keeps them for that window through later batches
    await applyNext(reopened, (w) => applyHappenings(w, stageCountsDataset(12, 10)));
    for (const asOf of probesOf(happenings, 3).filter((_, i) => i % 5 === 0)) {
      expect(await reopened.stageCounts(asOf, 3), asOf).toEqual(await perUserStageCounts(reopened, asOf, 3));
    }
    await drop();
  });

  it('serves the searches and a journey from index ranges', async () => {
    const { pool, drop } = await freshReadModels();
    const plan = async (sql: string, values: unknown[]): Promise<string> => {
      const client = await pool.connect();
      try {
        // an empty table would be scanned and sorted whatever the indexes: ask as if it were large
        await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await client.query('RESET ALL');
        client.release();
      }
    };
    expect(
      await plan('SELECT * FROM journey.users WHERE user_id >= $1 AND user_id < $2 ORDER BY user_id LIMIT 5', [
        'a',
        'b',
      ]),
    ).toMatch(/Index Scan using users_pkey/);
    expect(
      await plan(
        'SELECT * FROM journey.users WHERE lower(email) >= $1 AND lower(email) < $2 ORDER BY lower(email), user_id LIMIT 5',
        ['a', 'b'],
      ),
    ).toMatch(/Index Scan using users_by_email/);
    expect(
      await plan('SELECT * FROM journey.timeline WHERE user_id = $1 ORDER BY occurred_at, seq LIMIT 5', ['u1']),
    ).toMatch(/Index Scan using timeline_by_user_time/);
    await drop();
  });

  it('answers UnavailableError while the server is down, and works again once it is back', async () => {
    const { store, drop } = await freshReadModels();
    await applyNext(store, (w) => w.addTimelineEntry({ ...entry, eventId: 'before' }));
    // tests run with synchronous_commit off: make the commit durable before the crash
    await databases.admin.query('CHECKPOINT');
    await databases.server.kill();
    const down = await store.getJourney('u1').catch((e: unknown) => e);
    expect(isUnavailableError(down)).toBe(true);
    expect((down as Error).message).toMatch(/went away while reading a journey/);
    const batch = await store
      .applyBatch('journey', { from: pos(1), to: pos(2) }, (w) => w.addTimelineEntry({ ...entry, eventId: 'lost' }))
      .catch((e: unknown) => e);
    expect(isUnavailableError(batch)).toBe(true);
    await databases.server.restart();
    await applyNext(store, (w) => w.addTimelineEntry({ ...entry, eventId: 'after' }));
    expect((await store.getJourney('u1')).map((e) => e.eventId)).toEqual(['before', 'after']);
    await drop();
  });
});

const entry = {
  userId: 'u1',
  eventId: 'e',
  type: 'PageViewed',
  occurredAt: '2026-01-01T00:00:00.000Z',
  data: {},
  ruleId: 'r',
  sourceMessageIds: ['m'],
};

describe('PostgresReadModels on a database from before timeline positions', () => {
  it('gives the timeline its position columns in migration 6, and reads older rows as before any position', async () => {
    await databases.admin.query('CREATE DATABASE rm_before_positions');
    const pool = await connectPostgres({
      url: databases.server.url.replace(/\/journey$/, '/rm_before_positions'),
      poolSize: 2,
    });
    try {
      await migrate(
        pool,
        migrations.filter((m) => m.version < 6),
      );
      await pool.query(`INSERT INTO journey.timeline (user_id, occurred_at, event_id, type, data, rule_id, source_message_ids)
        VALUES ('u1', '2026-01-01T00:00:00Z', 'old', 'PageViewed', '{}', 'r', '["m"]')`);
      await pool.query(`INSERT INTO journey.read_model_checkpoints (projection, position) VALUES ('timeline', '1/1')`);
      expect((await migrate(pool, migrations)).applied).toEqual(
        migrations.filter((m) => m.version >= 6).map((m) => `${m.version} ${m.name}`),
      );
      const store = await PostgresReadModels.open(pool);
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
    } finally {
      await pool.end();
      await databases.admin.query('DROP DATABASE rm_before_positions WITH (FORCE)');
    }
  });
});
