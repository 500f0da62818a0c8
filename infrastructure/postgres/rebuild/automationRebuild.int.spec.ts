import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../../application/automations/fireDueTimers.ts';
import type { Position, RecordedEvent } from '../../../application/ports/eventStore/eventStore.ts';
import { compileAutomations } from '../../../domain/automations/compileAutomations.ts';
import { automationsProjection } from '../../../projections/automations/automationsProjection.ts';
import { rebuildProjections } from '../../../projections/rebuildProjections.ts';
import { exampleAutomations } from '../../../testing/automations/automationsFixtures.ts';
import { MemoryEventStore } from '../../../testing/memory/memoryEventStore.ts';
import { type ReadModelDatabases, readModelDatabases } from '../../../testing/postgres/readModelDatabases.ts';
import { PostgresAutomationStore } from '../automationStore/postgresAutomationStore.ts';
import { PostgresRebuildTarget } from './postgresRebuildTarget.ts';
import { automationRebuildModel } from './rebuildModels.ts';

const T = Date.parse('2026-05-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();
const THREE_DAYS = 3 * 86_400_000;
const automations = compileAutomations(exampleAutomations(), 'automations.json');
const rules = { maxAgeMs: 60 * 60_000, windowDays: 15, meaningful: new Set(['ProjectCreated'] as const) };
const projection = automationsProjection(automations, rules, { now: () => T });

/** ada signs up and hits a server error; bo signs up and creates a project during the wait */
const journeyEvents = async (): Promise<MemoryEventStore> => {
  const store = new MemoryEventStore();
  const append = (userId: string, id: string, type: string, minutes: number, data: Record<string, unknown>) =>
    store.append(`journey-${userId}`, [
      { id, type, data, metadata: { occurredAt: at(minutes), sourceMessageIds: [`m-${id}`], ruleId: 'test' } },
    ]);
  await append('ada', 'e-ada-1', 'UserSignedUp', -2, { email: 'ada@example.com' });
  await append('bo', 'e-bo-1', 'UserSignedUp', -2, { email: 'bo@example.com' });
  await append('ada', 'e-ada-2', 'ErrorEncountered', -1, { status: 503 });
  await append('bo', 'e-bo-2', 'ProjectCreated', -1, { projectId: 'p1' });
  return store;
};

let databases: ReadModelDatabases;
beforeAll(async () => {
  databases = await readModelDatabases();
}, 60_000);
afterAll(async () => {
  await databases?.stop();
});

describe('the automations rebuild in PostgreSQL', () => {
  it('swaps in the users and timers, leaves the outbox as it is, and the tick then sends nothing again', async () => {
    const db = await databases.fresh();
    const url = db.pool.options.connectionString ?? '';
    const events = await journeyEvents();
    const live = new PostgresAutomationStore(db.pool);
    let from: Position | null = null;
    for (;;) {
      const batch: RecordedEvent[] = await events.readAll({
        ...(from ? { fromPosition: from } : {}),
        streamPrefix: projection.streamPrefix,
        maxCount: 2,
      });
      const last = batch.at(-1);
      if (!last) break;
      await live.applyBatch('automations', { from, to: last.position }, (w) => {
        for (const e of batch) projection.apply(e, w);
      });
      from = last.position;
    }
    expect(await fireDueTimers(live, automations, rules, T + THREE_DAYS)).toBe(1);
    await live.markDelivered('welcome-email:e-ada-1', at(1));
    // pruned from the outbox: a shadow that enqueued would bring it back
    await db.pool.query("DELETE FROM journey.automation_deliveries WHERE id = 'error-support:e-ada-2'");
    // an old version that lost a user, as a buggy projection version would have
    await db.pool.query("DELETE FROM journey.automation_users WHERE user_id = 'bo'");
    const outbox = async () => {
      const { rows } = await db.pool.query('SELECT * FROM journey.automation_deliveries ORDER BY seq');
      return rows;
    };
    const timers = async () => {
      const { rows } = await db.pool.query<{ id: string; status: string }>(
        'SELECT id, status FROM journey.automation_timers ORDER BY id',
      );
      return rows;
    };
    const deliveriesBefore = await outbox();
    expect(deliveriesBefore.map((d) => d.id)).toEqual([
      'welcome-email:e-ada-1',
      'welcome-email:e-bo-1',
      'stuck-3-days:e-ada-1',
    ]);
    expect(await timers()).toEqual([
      { id: 'stuck-3-days:e-ada-1', status: 'fired' },
      { id: 'stuck-3-days:e-bo-1', status: 'cancelled' },
    ]);

    const target = new PostgresRebuildTarget(automationRebuildModel(projection), url);
    const holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      const [outcome] = await rebuildProjections(events, [target], { holder, verify: true, batchSize: 3 });
      expect(outcome?.version).toBe(2);
      expect(outcome?.checkpoint).toEqual(from);
      expect(outcome?.hashes?.rebuilt).not.toBe(outcome?.hashes?.replaced);
      expect(await target.contentHash()).toBe(outcome?.hashes?.rebuilt);
    } finally {
      await target.close();
    }
    expect(await outbox()).toEqual(deliveriesBefore);
    // replayed: ada's timer waits again (the rebuild fires nothing), bo's is cancelled, bo is back
    expect(await timers()).toEqual([
      { id: 'stuck-3-days:e-ada-1', status: 'waiting' },
      { id: 'stuck-3-days:e-bo-1', status: 'cancelled' },
    ]);
    const { rows: users } = await db.pool.query<{ user_id: string }>(
      'SELECT user_id FROM journey.automation_users ORDER BY user_id',
    );
    expect(users.map((u) => u.user_id)).toEqual(['ada', 'bo']);
    expect(await live.readCheckpoint('automations')).toEqual(from);

    // the live tick fires ada's timer again under the delivery id that exists: nothing new is queued
    expect(await fireDueTimers(live, automations, rules, T + THREE_DAYS + 1_000)).toBe(0);
    expect((await timers())[0]).toEqual({ id: 'stuck-3-days:e-ada-1', status: 'fired' });
    expect(await outbox()).toEqual(deliveriesBefore);
    await live.close();
    await db.drop();
  }, 30_000);
});
