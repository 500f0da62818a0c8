import { describe, expect, it } from 'vitest';
import { raiseSlowDeployments } from '../../application/alerts/raiseSlowDeployments.ts';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import { defaultAlertRules as rules } from '../../domain/alerts/alert.ts';
import { MemoryAlertStore } from '../../testing/memory/memoryAlertStore.ts';
import { applying, given } from '../../testing/projections/projectionSpec.ts';
import { recorded as recordedAt } from '../../testing/projections/recordedEvent.ts';
import { alertsProjection } from './alertsProjection.ts';

const T = Date.parse('2026-05-01T12:00:00.000Z');
const at = (min: number) => new Date(T + min * 60_000).toISOString();
const recorded = (userId: string, type: string, data: Record<string, unknown>, occurredAt: string): RecordedEvent =>
  recordedAt(userId, type, occurredAt, data);

const projection = alertsProjection(rules, { now: () => T });
/** the alerts projection at T, into a fresh outbox */
const alerts = () => applying(projection, new MemoryAlertStore());
const keysOf = async (store: MemoryAlertStore) => (await store.listAlerts()).map((a) => a.key).reverse();
const raised = (keys: string[]) => async (store: MemoryAlertStore) => expect(await keysOf(store)).toEqual(keys);

describe('alerts projection', () => {
  it('raises a sign-up alert for a live sign-up, and none for one from history', async () => {
    await given(
      recorded('ada', 'UserSignedUp', { email: 'ada@example.com' }, at(-1)),
      recorded('old', 'UserSignedUp', {}, at(-600)),
      recorded('ada', 'PageViewed', {}, at(0)),
    )
      .when(alerts())
      .then(raised(['signup:ada']));
  });

  it('raises a failed deployment, and the slow timer a deployment left running; its completion replies in the thread', async () => {
    const store = await given(
      recorded('ada', 'DeploymentStarted', { deploymentId: 'd1' }, at(-11)),
      recorded('ada', 'DeploymentStarted', { deploymentId: 'd2' }, at(-11)),
      recorded('ada', 'DeploymentFailed', { deploymentId: 'd2', error: 'OOM' }, at(-2)),
      recorded('ada', 'DeploymentStarted', { deploymentId: 'd3' }, at(-3)),
    )
      .when(alerts())
      .then(raised(['deploy-failed:d2']));
    expect(await raiseSlowDeployments(store, rules, T)).toBe(1);
    expect(await raiseSlowDeployments(store, rules, T)).toBe(0);
    const done = recorded('ada', 'DeploymentCompleted', { deploymentId: 'd1' }, at(1));
    await store.update((w) => projection.apply(done, w));
    expect(await keysOf(store)).toEqual(['deploy-failed:d2', 'deploy-slow:d1', 'deploy-slow:d1:completed']);
    expect((await store.get('deploy-slow:d1:completed'))?.parentKey).toBe('deploy-slow:d1');
  });

  it('groups errors per user and code; later ones become thread counts', async () => {
    await given(
      recorded('ada', 'ErrorEncountered', { status: 503 }, at(-10)),
      recorded('ada', 'ErrorEncountered', { status: 503 }, at(-9)),
      recorded('bob', 'ErrorEncountered', { status: 503 }, at(-9)),
      recorded('ada', 'ErrorEncountered', { status: 404 }, at(-8)),
    )
      .when(alerts())
      .then(
        raised([`error:ada:HTTP 503:${at(-10)}`, `error:ada:HTTP 503:${at(-10)}#2`, `error:bob:HTTP 503:${at(-9)}`]),
      );
  });

  it('a rebuild raises nothing new', async () => {
    const events = [
      recorded('ada', 'UserSignedUp', {}, at(-1)),
      recorded('ada', 'ErrorEncountered', { errorCode: 'E' }, at(-1)),
    ];
    const store = await given(...events)
      .when(alerts())
      .then(() => undefined);
    await store.resetProjection('alerts');
    let told = 0;
    store.onRaised(() => told++);
    await given(...events)
      .when(applying(projection, store))
      .then(raised(['signup:ada', `error:ada:E:${at(-1)}`]));
    expect(told).toBe(0);
  });
});
