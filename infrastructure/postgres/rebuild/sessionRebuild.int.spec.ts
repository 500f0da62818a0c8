import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position, RecordedEvent } from '../../../application/ports/eventStore/eventStore.ts';
import { ACTIVITY_RECORDED, activityStreamOf } from '../../../domain/sessions/activity.ts';
import { rebuildProjections } from '../../../projections/rebuildProjections.ts';
import { sessionsProjection } from '../../../projections/sessions/sessionsProjection.ts';
import { MemoryEventStore } from '../../../testing/memory/memoryEventStore.ts';
import { type ReadModelDatabases, readModelDatabases } from '../../../testing/postgres/readModelDatabases.ts';
import { PostgresSessionStore } from '../sessionStore/postgresSessionStore.ts';
import { PostgresRebuildTarget } from './postgresRebuildTarget.ts';
import { sessionRebuildModel } from './rebuildModels.ts';

const projection = sessionsProjection(30);
const T0 = Date.parse('2026-05-01T08:00:00.000Z');

/** two users' page views, some of them late, over a few sessions */
const activityEvents = async (): Promise<MemoryEventStore> => {
  const store = new MemoryEventStore();
  const minutes = [0, 10, 50, 5, 120, 130, 45, 200];
  for (const [i, m] of minutes.entries())
    for (const userId of ['ada', 'bo']) {
      const occurredAt = new Date(T0 + (m + (userId === 'bo' ? 3 : 0)) * 60_000).toISOString();
      await store.append(activityStreamOf(userId), [
        {
          id: `a-${userId}-${i}`,
          type: ACTIVITY_RECORDED,
          data: { messageId: `m${i}`, occurredAt, rawType: 'page', url: `https://x.test/p${i}` },
          metadata: { occurredAt, sourceMessageIds: [`m${i}`] },
        },
      ]);
    }
  return store;
};

let databases: ReadModelDatabases;
beforeAll(async () => {
  databases = await readModelDatabases();
}, 60_000);
afterAll(async () => {
  await databases?.stop();
});

describe('the sessions rebuild in PostgreSQL', () => {
  it('swaps in sessions equal to those built live, which the store and the catalogue then read', async () => {
    const db = await databases.fresh();
    const url = db.pool.options.connectionString ?? '';
    const events = await activityEvents();
    const live = new PostgresSessionStore(db.pool);
    let from: Position | null = null;
    for (;;) {
      const batch: RecordedEvent[] = await events.readAll({
        ...(from ? { fromPosition: from } : {}),
        streamPrefix: projection.streamPrefix,
        maxCount: 3,
      });
      const last = batch.at(-1);
      if (!last) break;
      await live.applyBatch('sessions', { from, to: last.position }, (w) => {
        for (const e of batch) projection.apply(e, w);
      });
      from = last.position;
    }
    const before = await live.sessionsOf('ada');
    expect(before.length).toBeGreaterThan(1);
    // an old version that lost a session, as a buggy projection version would have
    await db.pool.query("DELETE FROM journey.sessions WHERE user_id = 'bo'");

    const target = new PostgresRebuildTarget(sessionRebuildModel(projection), url);
    const holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      const [outcome] = await rebuildProjections(events, [target], { holder, verify: true, batchSize: 4 });
      expect(outcome?.version).toBe(2);
      expect(outcome?.checkpoint).toEqual(from);
      expect(outcome?.hashes?.rebuilt).not.toBe(outcome?.hashes?.replaced);
      expect(await target.contentHash()).toBe(outcome?.hashes?.rebuilt);
    } finally {
      await target.close();
    }
    expect(await live.sessionsOf('ada')).toEqual(before);
    expect((await live.sessionsOf('bo')).length).toBe(before.length);
    expect(await live.readCheckpoint('sessions')).toEqual(from);
    const client = await db.pool.connect();
    try {
      await client.query('SET ROLE journey_reader');
      const { rows } = await client.query<{ user_id: string; n: number }>(
        'SELECT user_id, count(*)::int AS n FROM analytics.sessions GROUP BY 1 ORDER BY 1',
      );
      expect(rows).toEqual([
        { user_id: 'ada', n: before.length },
        { user_id: 'bo', n: before.length },
      ]);
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
    await live.close();
    await db.drop();
  }, 30_000);
});
