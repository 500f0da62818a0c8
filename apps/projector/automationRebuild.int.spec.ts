import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../application/automations/fireDueTimers.ts';
import type { Position, RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import { compileAutomations } from '../../domain/automations/compileAutomations.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { SqliteAutomationStore } from '../../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import { automationsProjection } from '../../projections/automations/automationsProjection.ts';
import { rebuildProjections } from '../../projections/rebuildProjections.ts';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import { journeyEnv } from '../../testing/journey/journeyEnv.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { automationRulesOf } from '../journey/automationRules.ts';
import { rebuildTargetOf } from './rebuildTargets.ts';

const T = Date.parse('2026-05-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();
const THREE_DAYS = 3 * 86_400_000;
const clock = { now: () => T };
/** the example file without its NATS action, which would need NATS_URL */
const automationsFile = () => {
  const example = exampleAutomations();
  return { ...example, automations: example.automations.filter((a) => a.id !== 'error-support') };
};

describe('the automations rebuild in SQLite', () => {
  let data: TempDataDir;
  beforeEach(async () => {
    data = await tempDataDir('automation-rebuild');
  });
  afterEach(async () => {
    await data.remove();
  });

  it('swaps in users and timers, keeps the outbox, and leaves each timer index once', async () => {
    const file = join(data.dir, 'automations.json');
    writeFileSync(file, JSON.stringify(automationsFile()));
    const config = loadConfig(journeyEnv(data.dir, { JOURNEY_AUTOMATIONS: file }));
    const automations = compileAutomations(automationsFile(), file);
    const rules = automationRulesOf(config);
    const projection = automationsProjection(automations, rules, clock);
    const events = new MemoryEventStore();
    const append = (userId: string, id: string, type: string, minutes: number, body: Record<string, unknown>) =>
      events.append(`journey-${userId}`, [
        { id, type, data: body, metadata: { occurredAt: at(minutes), sourceMessageIds: [`m-${id}`], ruleId: 't' } },
      ]);
    await append('ada', 'e-ada-1', 'UserSignedUp', -2, { email: 'ada@example.com' });
    await append('bo', 'e-bo-1', 'UserSignedUp', -2, { email: 'bo@example.com' });
    await append('ada', 'e-ada-2', 'ErrorEncountered', -1, { status: 503 });
    await append('bo', 'e-bo-2', 'ProjectCreated', -1, { projectId: 'p1' });

    const dbFile = join(data.dir, 'automations.db');
    const live = new SqliteAutomationStore(dbFile);
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
    const sql = new Database(dbFile);
    const outbox = () => sql.prepare('SELECT * FROM automation_deliveries ORDER BY seq').all();
    const timers = () => sql.prepare('SELECT id, status FROM automation_timers ORDER BY id').all();
    const timerIndexes = () =>
      sql
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'automation_timers' ORDER BY name",
        )
        .all()
        .map((i) => i.name.replace(/__v\d+$/, ''));
    try {
      // pruned from the outbox: a shadow that enqueued would bring it back
      sql.prepare("DELETE FROM automation_deliveries WHERE id = 'welcome-email:e-bo-1'").run();
      const before = outbox();
      expect(before).toHaveLength(2);

      const target = rebuildTargetOf(config, 'automations', clock);
      const holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      try {
        const [outcome] = await rebuildProjections(events, [target], { holder, verify: true, batchSize: 3 });
        expect(outcome?.version).toBe(2);
        expect(outcome?.checkpoint).toEqual(from);
        expect(await target.contentHash()).toBe(outcome?.hashes?.rebuilt);
      } finally {
        await target.close();
      }
      expect(outbox()).toEqual(before);
      expect(timers()).toEqual([
        { id: 'stuck-3-days:e-ada-1', status: 'waiting' },
        { id: 'stuck-3-days:e-bo-1', status: 'cancelled' },
      ]);
      expect(await live.readCheckpoint('automations')).toEqual(from);
      // the live tick ends ada's timer under a delivery id that exists: nothing new is queued
      expect(await fireDueTimers(live, automations, rules, T + THREE_DAYS + 1_000)).toBe(0);
      expect(timers()).toEqual([
        { id: 'stuck-3-days:e-ada-1', status: 'fired' },
        { id: 'stuck-3-days:e-bo-1', status: 'cancelled' },
      ]);
      expect(outbox()).toEqual(before);
      // a store opened after the swap finds the rebuilt indexes and creates none again
      await new SqliteAutomationStore(dbFile).close();
      expect(timerIndexes()).toEqual(['automation_timers_user', 'automation_timers_waiting']);
    } finally {
      sql.close();
      await live.close();
    }
  }, 30_000);
});
