import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertDraft } from '../../../domain/alerts/alert.ts';
import type { Position } from '../eventStore/eventStore.ts';
import type { AlertStore } from './alertStore.ts';

export type AlertStoreFactory = () => Promise<{ store: AlertStore; cleanup: () => Promise<void> }>;

const pos = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const NOW = '2026-05-01T12:00:00.000Z';
const draft = (key: string, extra: Partial<AlertDraft> = {}): AlertDraft => ({
  key,
  kind: 'signup',
  userId: 'ada',
  occurredAt: '2026-05-01T11:59:00.000Z',
  content: { headline: 'New user signed up', facts: [['User', 'ada']] },
  ...extra,
});

/** The AlertStore contract: every adapter runs it. */
export const describeAlertStoreContract = (name: string, factory: AlertStoreFactory): void => {
  describe(`AlertStore contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<AlertStoreFactory>> | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const storeOf = (): AlertStore => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture.store;
    };

    it('moves the checkpoint with the batch, and writes nothing when `from` does not match', async () => {
      const store = storeOf();
      expect(await store.readCheckpoint('alerts')).toBeNull();
      expect(
        await store.applyBatch('alerts', { from: null, to: pos(3) }, (w) => w.raise(draft('signup:a'), NOW)),
      ).toEqual({
        kind: 'stored',
      });
      expect(await store.readCheckpoint('alerts')).toEqual(pos(3));
      expect(
        await store.applyBatch('alerts', { from: pos(1), to: pos(5) }, (w) => w.raise(draft('signup:b'), NOW)),
      ).toEqual({
        kind: 'mismatch',
        current: pos(3),
      });
      expect((await store.listAlerts()).map((a) => a.key)).toEqual(['signup:a']);
    });

    it('rolls back a batch whose apply throws', async () => {
      const store = storeOf();
      await expect(
        store.applyBatch('alerts', { from: null, to: pos(1) }, (w) => {
          w.raise(draft('signup:a'), NOW);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.readCheckpoint('alerts')).toBeNull();
      expect(await store.get('signup:a')).toBeUndefined();
    });

    it('raises a key once: raising it again (retry, rebuild) changes nothing', async () => {
      const store = storeOf();
      const first = await store.update((w) => w.raise(draft('signup:a'), NOW));
      await store.markPosted('signup:a', { channel: 'C1', ts: '1.1', at: NOW });
      await store.resetProjection('alerts');
      const again = await store.update((w) => w.raise(draft('signup:a'), '2026-05-01T13:00:00.000Z'));
      expect([first, again]).toEqual([true, false]);
      expect(await store.get('signup:a')).toMatchObject({ status: 'posted', ts: '1.1', channel: 'C1', raisedAt: NOW });
      expect(await store.pending('2026-05-02T00:00:00.000Z', 10)).toEqual([]);
    });

    it('keeps what an alert is and where its delivery stands', async () => {
      const store = storeOf();
      await store.update((w) =>
        w.raise(draft('error:ada:E1:x#2', { kind: 'error', parentKey: 'error:ada:E1:x' }), NOW),
      );
      const stored = await store.get('error:ada:E1:x#2');
      expect(stored).toEqual({
        ...draft('error:ada:E1:x#2', { kind: 'error', parentKey: 'error:ada:E1:x' }),
        raisedAt: NOW,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: NOW,
      });
      expect(await store.beginAttempt('error:ada:E1:x#2')).toBe(1);
      expect(await store.beginAttempt('error:ada:E1:x#2')).toBe(2);
      await store.retryLater('error:ada:E1:x#2', 'HTTP 500', '2026-05-01T12:00:05.000Z');
      expect(await store.pending('2026-05-01T12:00:04.999Z', 10)).toEqual([]);
      expect(
        (await store.pending('2026-05-01T12:00:05.000Z', 10)).map((a) => [a.key, a.attempts, a.lastError]),
      ).toEqual([['error:ada:E1:x#2', 2, 'HTTP 500']]);
      await store.markFailed('error:ada:E1:x#2', 'channel_not_found: fix it', NOW);
      expect(await store.get('error:ada:E1:x#2')).toMatchObject({
        status: 'failed',
        lastError: 'channel_not_found: fix it',
      });
    });

    it('lists pending oldest first and filters by status and kind, newest first', async () => {
      const store = storeOf();
      await store.update((w) => {
        w.raise(draft('signup:a'), NOW);
        w.raise(draft('deploy-failed:d1', { kind: 'deploy-failed' }), NOW);
        w.raise(draft('signup:b'), NOW);
      });
      await store.markLogged('signup:b', NOW);
      expect((await store.pending(NOW, 10)).map((a) => a.key)).toEqual(['signup:a', 'deploy-failed:d1']);
      expect((await store.pending(NOW, 1)).map((a) => a.key)).toEqual(['signup:a']);
      expect((await store.listAlerts()).map((a) => a.key)).toEqual(['signup:b', 'deploy-failed:d1', 'signup:a']);
      expect((await store.listAlerts({ kind: 'signup' })).map((a) => a.key)).toEqual(['signup:b', 'signup:a']);
      expect((await store.listAlerts({ status: 'logged' })).map((a) => a.key)).toEqual(['signup:b']);
      expect((await store.listAlerts({ status: 'pending', kind: 'signup' })).map((a) => a.key)).toEqual(['signup:a']);
    });

    it('pages due alerts by cursor: after a cursor only what was raised since, retries found from the start', async () => {
      const store = storeOf();
      await store.update((w) => {
        w.raise(draft('signup:a'), NOW);
        w.raise(draft('signup:b'), NOW);
      });
      const first = await store.duePage(NOW, 10);
      expect(first.alerts.map((a) => a.key)).toEqual(['signup:a', 'signup:b']);
      const empty = await store.duePage(NOW, 10, first.cursor);
      expect(empty).toEqual({ alerts: [], cursor: first.cursor });
      await store.retryLater('signup:a', 'HTTP 500', NOW);
      await store.markPosted('signup:b', { channel: 'C1', ts: '1.1', at: NOW });
      await store.update((w) => {
        w.raise(draft('signup:c'), NOW);
        w.raise(draft('signup:d'), NOW);
      });
      const page = await store.duePage(NOW, 1, first.cursor);
      expect(page.alerts.map((a) => a.key)).toEqual(['signup:c']);
      expect((await store.duePage(NOW, 10, page.cursor)).alerts.map((a) => a.key)).toEqual(['signup:d']);
      expect((await store.duePage(NOW, 10)).alerts.map((a) => a.key)).toEqual(['signup:a', 'signup:c', 'signup:d']);
    });

    it('finds deployments due for the slow timer: running, in range, not yet alerted', async () => {
      const store = storeOf();
      await store.update((w) => {
        w.putDeployment({ deploymentId: 'old', userId: 'u', startedAt: '2026-05-01T10:00:00.000Z' });
        w.putDeployment({ deploymentId: 'due', userId: 'u', projectId: 'p', startedAt: '2026-05-01T11:40:00.000Z' });
        w.putDeployment({ deploymentId: 'alerted', userId: 'u', startedAt: '2026-05-01T11:41:00.000Z' });
        w.putDeployment({
          deploymentId: 'done',
          userId: 'u',
          startedAt: '2026-05-01T11:42:00.000Z',
          finished: { outcome: 'completed', at: '2026-05-01T11:43:00.000Z' },
        });
        w.putDeployment({ deploymentId: 'young', userId: 'u', startedAt: '2026-05-01T11:55:00.000Z' });
        w.raise(draft('deploy-slow:alerted', { kind: 'deploy-slow' }), NOW);
      });
      const due = await store.update((w) => w.dueDeployments('2026-05-01T11:00:00.000Z', '2026-05-01T11:50:00.000Z'));
      expect(due).toEqual([
        { deploymentId: 'due', userId: 'u', projectId: 'p', startedAt: '2026-05-01T11:40:00.000Z' },
      ]);
      expect(await store.update((w) => w.getDeployment('done'))).toMatchObject({ finished: { outcome: 'completed' } });
    });

    it('keeps error groups per user and code; a reset for a rebuild drops state, not alerts', async () => {
      const store = storeOf();
      const group = { userId: 'u', code: 'E1', windowStart: NOW, count: 2, alertKey: 'error:u:E1:x' };
      await store.applyBatch('alerts', { from: null, to: pos(1) }, (w) => {
        w.putErrorGroup(group);
        w.putErrorGroup({ ...group, userId: 'v' });
        w.raise(draft('error:u:E1:x', { kind: 'error' }), NOW);
      });
      expect(
        await store.update((w) => [w.getErrorGroup('u', 'E1'), w.getErrorGroup('u', 'E2'), w.hasAlert('error:u:E1:x')]),
      ).toEqual([group, undefined, true]);
      await store.resetProjection('alerts');
      expect(await store.readCheckpoint('alerts')).toBeNull();
      expect(await store.update((w) => w.getErrorGroup('u', 'E1'))).toBeUndefined();
      expect(await store.get('error:u:E1:x')).toBeDefined();
    });

    it('tells listeners after a transaction that raised something new, and only then', async () => {
      const store = storeOf();
      let told = 0;
      const off = store.onRaised(() => told++);
      await store.update((w) => w.raise(draft('signup:a'), NOW));
      await store.update((w) => w.raise(draft('signup:a'), NOW));
      await store.update((w) => w.putDeployment({ deploymentId: 'd', userId: 'u', startedAt: NOW }));
      off();
      await store.update((w) => w.raise(draft('signup:b'), NOW));
      expect(told).toBe(1);
    });
  });
};
