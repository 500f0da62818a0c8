import { describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../application/automations/fireDueTimers.ts';
import { compileAutomations } from '../../domain/automations/compileAutomations.ts';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import { MemoryAutomationStore } from '../../testing/memory/memoryAutomationStore.ts';
import { applying, given } from '../../testing/projections/projectionSpec.ts';
import { recorded } from '../../testing/projections/recordedEvent.ts';
import { automationsProjection } from './automationsProjection.ts';

const T = Date.parse('2026-05-01T12:00:00.000Z');
const at = (min: number) => new Date(T + min * 60_000).toISOString();
const automations = compileAutomations(exampleAutomations(), 'automations.json');
const rules = { maxAgeMs: 60 * 60_000, windowDays: 15, meaningful: new Set(['ProjectCreated'] as const) };
const projectionAt = (now: number) => automationsProjection(automations, rules, { now: () => now });
const automationsAt = (now = T) => applying(projectionAt(now), new MemoryAutomationStore());
const idsOf = async (store: MemoryAutomationStore) => (await store.listDeliveries()).map((d) => d.id).reverse();
const THREE_DAYS = 3 * 86_400_000;

describe('automations projection', () => {
  it('enqueues one delivery per live trigger, named by automation and event, and none for history', async () => {
    const signup = recorded('ada', 'UserSignedUp', at(-1), { email: 'ada@example.com' });
    const old = recorded('old', 'UserSignedUp', at(-600));
    const error = recorded('ada', 'ErrorEncountered', at(0), { status: 503 });
    await given(signup, old, error, recorded('ada', 'ErrorEncountered', at(0), { status: 404 }))
      .when(automationsAt())
      .then(async (store) =>
        expect(await idsOf(store)).toEqual([`welcome-email:${signup.id}`, `error-support:${error.id}`]),
      );
  });

  it('fires the timer once its instant has passed, with the user as of then; a rerun fires nothing', async () => {
    const signup = recorded('ada', 'UserSignedUp', at(-1), { email: 'ada@example.com' });
    const store = await given(signup)
      .when(automationsAt())
      .then(() => undefined);
    expect(await fireDueTimers(store, automations, rules, T + THREE_DAYS - 120_000)).toBe(0);
    expect(await fireDueTimers(store, automations, rules, T + THREE_DAYS)).toBe(1);
    expect(await fireDueTimers(store, automations, rules, T + THREE_DAYS + 1_000)).toBe(0);
    expect(await store.get(`stuck-3-days:${signup.id}`)).toMatchObject({
      action: 'slack',
      triggeredAt: at(-1 + 3 * 24 * 60),
      payload: { user: { email: 'ada@example.com', daysSinceSignUp: 3 }, trigger: { kind: 'timer' } },
    });
  });

  it('a project created during the wait cancels the timer; one after it does not undo the delivery', async () => {
    const signup = recorded('ada', 'UserSignedUp', at(-1));
    const store = await given(signup, recorded('ada', 'ProjectCreated', at(60)))
      .when(automationsAt())
      .then(() => undefined);
    expect(await fireDueTimers(store, automations, rules, T + THREE_DAYS)).toBe(0);
    expect(await idsOf(store)).toEqual([`welcome-email:${signup.id}`]);
  });

  it('a timer whose instant passed more than the max age ago expires without firing', async () => {
    const store = await given(recorded('ada', 'UserSignedUp', at(-1)))
      .when(automationsAt())
      .then(() => undefined);
    expect(await fireDueTimers(store, automations, rules, T + THREE_DAYS + 2 * 60 * 60_000)).toBe(0);
    expect(await fireDueTimers(store, automations, rules, T + THREE_DAYS)).toBe(0);
  });
});
