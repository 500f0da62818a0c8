import { afterEach, describe, expect, it } from 'vitest';
import { compileAutomations } from '../../domain/automations/compileAutomations.ts';
import { SqliteAutomationStore } from '../../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import { automationsProjection } from '../../projections/automations/automationsProjection.ts';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { replayAutomations } from './replayAutomations.ts';

const NOW = Date.parse('2026-05-10T12:00:00.000Z');
const DAY = 86_400_000;
const automations = compileAutomations(exampleAutomations(), 'automations.json');
const rules = { maxAgeMs: Number.POSITIVE_INFINITY, windowDays: 15, meaningful: new Set(['ProjectCreated'] as const) };

let scratch: SqliteAutomationStore | undefined;
afterEach(async () => {
  await scratch?.close();
});

const append = async (store: MemoryEventStore, userId: string, id: string, type: string, at: number, data = {}) =>
  store.append(`journey-${userId}`, [
    { id, type, data, metadata: { occurredAt: new Date(at).toISOString(), sourceMessageIds: [id], ruleId: 'r' } },
  ]);

describe('replayAutomations', () => {
  it('prints what history would have fired since a day, timers at their instants, cancelled ones not', async () => {
    const events = new MemoryEventStore();
    await append(events, 'carol', 'c1', 'UserSignedUp', NOW - 11 * DAY); // her timer fired 8 days ago
    await append(events, 'ada', 'a1', 'UserSignedUp', NOW - 5 * DAY, { email: 'ada@example.com' });
    await append(events, 'bob', 'b1', 'UserSignedUp', NOW - 5 * DAY);
    await append(events, 'bob', 'b2', 'ProjectCreated', NOW - 4 * DAY);
    await append(events, 'ada', 'a2', 'ErrorEncountered', NOW - 2 * DAY, { status: 503 });
    await append(events, 'ada', 'a3', 'ErrorEncountered', NOW - 2 * DAY, { status: 404 });
    scratch = new SqliteAutomationStore(':memory:');
    const fired = await replayAutomations(
      events,
      scratch,
      automations,
      (clock) => automationsProjection(automations, rules, clock),
      {
        from: NOW - 7 * DAY,
        until: NOW,
        windowDays: 15,
      },
    );
    expect(fired.map((d) => [d.triggeredAt, d.id])).toEqual([
      ['2026-05-05T12:00:00.000Z', 'welcome-email:a1'],
      ['2026-05-05T12:00:00.000Z', 'welcome-email:b1'],
      ['2026-05-08T12:00:00.000Z', 'error-support:a2'],
      ['2026-05-08T12:00:00.000Z', 'stuck-3-days:a1'],
    ]);
    expect(fired.find((d) => d.id === 'stuck-3-days:a1')?.payload.user).toMatchObject({
      email: 'ada@example.com',
      daysSinceSignUp: 3,
    });
  });
});
