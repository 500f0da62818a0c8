import { describe, expect, it } from 'vitest';
import { raiseSlowDeployments } from '../../application/alerts/raiseSlowDeployments.ts';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import { defaultAlertRules as rules } from '../../domain/alerts/alert.ts';
import { MemoryAlertStore } from '../../testing/memory/memoryAlertStore.ts';
import { alertsProjection } from './alertsProjection.ts';

const T = Date.parse('2026-05-01T12:00:00.000Z');
const at = (min: number) => new Date(T + min * 60_000).toISOString();
let n = 0;
const recorded = (userId: string, type: string, data: object, occurredAt: string): RecordedEvent => {
  n++;
  return {
    id: `e${n}`,
    type,
    data,
    metadata: { occurredAt, sourceMessageIds: [`m${n}`], ruleId: 'r' },
    streamId: `journey-${userId}`,
    revision: 0n,
    position: { commit: BigInt(n), prepare: BigInt(n) },
    recordedAt: occurredAt,
  };
};

/** given these events projected at `now`, then these alert keys are in the outbox */
const given = async (events: RecordedEvent[], now = T) => {
  const store = new MemoryAlertStore();
  const clock = { now: () => now };
  const projection = alertsProjection(rules, clock);
  const last = events[events.length - 1];
  if (last) {
    await store.applyBatch('alerts', { from: null, to: last.position }, (w) => {
      for (const e of events) projection.apply(e, w);
    });
  }
  const keys = async () => (await store.listAlerts()).map((a) => a.key).reverse();
  return { store, keys, projection, clock };
};

describe('alerts projection', () => {
  it('raises a sign-up alert for a live sign-up, and none for one from history', async () => {
    const { keys } = await given([
      recorded('ada', 'UserSignedUp', { email: 'ada@example.com' }, at(-1)),
      recorded('old', 'UserSignedUp', {}, at(-600)),
      recorded('ada', 'PageViewed', {}, at(0)),
    ]);
    expect(await keys()).toEqual(['signup:ada']);
  });

  it('raises a failed deployment, and the slow timer a deployment left running; its completion replies in the thread', async () => {
    const { store, keys, projection } = await given([
      recorded('ada', 'DeploymentStarted', { deploymentId: 'd1' }, at(-11)),
      recorded('ada', 'DeploymentStarted', { deploymentId: 'd2' }, at(-11)),
      recorded('ada', 'DeploymentFailed', { deploymentId: 'd2', error: 'OOM' }, at(-2)),
      recorded('ada', 'DeploymentStarted', { deploymentId: 'd3' }, at(-3)),
    ]);
    expect(await keys()).toEqual(['deploy-failed:d2']);
    expect(await raiseSlowDeployments(store, rules, T)).toBe(1);
    expect(await raiseSlowDeployments(store, rules, T)).toBe(0);
    const done = recorded('ada', 'DeploymentCompleted', { deploymentId: 'd1' }, at(1));
    await store.update((w) => projection.apply(done, w));
    expect(await keys()).toEqual(['deploy-failed:d2', 'deploy-slow:d1', 'deploy-slow:d1:completed']);
    expect((await store.get('deploy-slow:d1:completed'))?.parentKey).toBe('deploy-slow:d1');
  });

  it('groups errors per user and code; later ones become thread counts', async () => {
    const { keys } = await given([
      recorded('ada', 'ErrorEncountered', { status: 503 }, at(-10)),
      recorded('ada', 'ErrorEncountered', { status: 503 }, at(-9)),
      recorded('bob', 'ErrorEncountered', { status: 503 }, at(-9)),
      recorded('ada', 'ErrorEncountered', { status: 404 }, at(-8)),
    ]);
    expect(await keys()).toEqual([
      `error:ada:HTTP 503:${at(-10)}`,
      `error:ada:HTTP 503:${at(-10)}#2`,
      `error:bob:HTTP 503:${at(-9)}`,
    ]);
  });

  it('a rebuild raises nothing new', async () => {
    const events = [
      recorded('ada', 'UserSignedUp', {}, at(-1)),
      recorded('ada', 'ErrorEncountered', { errorCode: 'E' }, at(-1)),
    ];
    const { store, keys, projection } = await given(events);
    await store.resetProjection('alerts');
    let told = 0;
    store.onRaised(() => told++);
    const last = events[events.length - 1];
    if (!last) throw new Error('no events');
    await store.applyBatch('alerts', { from: null, to: last.position }, (w) => {
      for (const e of events) projection.apply(e, w);
    });
    expect(told).toBe(0);
    expect(await keys()).toEqual(['signup:ada', `error:ada:E:${at(-1)}`]);
  });
});
