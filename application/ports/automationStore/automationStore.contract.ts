import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { delivery, NOW, pos, timer, user } from './automationStore.fixtures.ts';
import type { AutomationStore } from './automationStore.ts';

export type AutomationStoreFactory = () => Promise<{ store: AutomationStore; cleanup: () => Promise<void> }>;

/** The AutomationStore contract: every adapter runs it. */
export const describeAutomationStoreContract = (name: string, factory: AutomationStoreFactory): void => {
  describe(`AutomationStore contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<AutomationStoreFactory>> | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const storeOf = (): AutomationStore => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture.store;
    };

    it('moves the checkpoint with the batch, and writes nothing when `from` does not match', async () => {
      const store = storeOf();
      expect(await store.readCheckpoint('automations')).toBeNull();
      const first = await store.applyBatch('automations', { from: null, to: pos(3) }, (w) => {
        w.enqueue(delivery('welcome-email:e1'), NOW);
      });
      expect(first).toEqual({ kind: 'stored' });
      expect(await store.readCheckpoint('automations')).toEqual(pos(3));
      const stale = await store.applyBatch('automations', { from: pos(1), to: pos(5) }, (w) => {
        w.enqueue(delivery('welcome-email:e2'), NOW);
      });
      expect(stale).toEqual({ kind: 'mismatch', current: pos(3) });
      expect((await store.listDeliveries()).map((d) => d.id)).toEqual(['welcome-email:e1']);
    });

    it('rolls back a batch whose apply throws: no delivery, no timer, no user, no checkpoint', async () => {
      const store = storeOf();
      await expect(
        store.applyBatch('automations', { from: null, to: pos(1) }, (w) => {
          w.enqueue(delivery('welcome-email:e1'), NOW);
          w.startTimer(timer('stuck-3-days:e1', '2026-05-04T11:59:00.000Z'));
          w.putUser(user('ada'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.readCheckpoint('automations')).toBeNull();
      expect(await store.get('welcome-email:e1')).toBeUndefined();
      expect(await store.update((w) => [w.getUser('ada'), w.waitingTimers('ada')])).toEqual([undefined, []]);
    });

    it('enqueues an id once: again after delivery and a reset of the projection changes nothing', async () => {
      const store = storeOf();
      const first = await store.update((w) => w.enqueue(delivery('welcome-email:e1'), NOW));
      await store.markDelivered('welcome-email:e1', NOW);
      await store.resetProjection('automations');
      const again = await store.update((w) => w.enqueue(delivery('welcome-email:e1'), '2026-05-01T13:00:00.000Z'));
      expect([first, again]).toEqual([true, false]);
      expect(await store.get('welcome-email:e1')).toMatchObject({ status: 'delivered', createdAt: NOW });
      expect(await store.due('2026-05-02T00:00:00.000Z', 10)).toEqual([]);
    });

    it('keeps what a delivery is, and counts attempts, backoff and the final state', async () => {
      const store = storeOf();
      const draft = delivery('welcome-email:e1', { triggeredAt: '2026-05-01T13:59:00+02:00' });
      await store.update((w) => w.enqueue(draft, NOW));
      expect(await store.get(draft.id)).toEqual({
        ...draft,
        triggeredAt: '2026-05-01T11:59:00.000Z',
        createdAt: NOW,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: NOW,
      });
      expect(await store.beginAttempt(draft.id)).toBe(1);
      await store.retryLater(draft.id, 'HTTP 503', '2026-05-01T12:00:02.000Z');
      expect((await store.due('2026-05-01T12:00:01.000Z', 10)).map((d) => d.id)).toEqual([]);
      expect((await store.due('2026-05-01T12:00:02.000Z', 10)).map((d) => d.id)).toEqual([draft.id]);
      expect(await store.beginAttempt(draft.id)).toBe(2);
      await store.markFailed(draft.id, 'HTTP 503 after 2 attempts', '2026-05-01T12:00:03.000Z');
      expect(await store.get(draft.id)).toMatchObject({
        status: 'failed',
        attempts: 2,
        lastError: 'HTTP 503 after 2 attempts',
      });
      expect(await store.due('2026-05-02T00:00:00.000Z', 10)).toEqual([]);
    });

    it('retries a failed delivery with a fresh count, and leaves a delivered one alone', async () => {
      const store = storeOf();
      await store.update((w) => [w.enqueue(delivery('a:e1'), NOW), w.enqueue(delivery('a:e2'), NOW)]);
      await store.beginAttempt('a:e1');
      await store.markFailed('a:e1', 'gone', NOW);
      await store.markDelivered('a:e2', NOW);
      expect(await store.retry('a:e1', '2026-05-01T12:30:00.000Z')).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: '2026-05-01T12:30:00.000Z',
      });
      expect(await store.retry('a:e2', NOW)).toMatchObject({ status: 'delivered' });
      expect(await store.retry('a:none', NOW)).toBeUndefined();
    });

    it('lists newest first, by automation and status, and counts per automation and status', async () => {
      const store = storeOf();
      await store.update((w) => {
        w.enqueue(delivery('welcome-email:e1'), NOW);
        w.enqueue(delivery('error-support:e2', { automationId: 'error-support', action: 'nats' }), NOW);
        w.enqueue(delivery('welcome-email:e3'), NOW);
      });
      await store.markDelivered('welcome-email:e1', NOW);
      expect((await store.listDeliveries()).map((d) => d.id)).toEqual([
        'welcome-email:e3',
        'error-support:e2',
        'welcome-email:e1',
      ]);
      expect((await store.listDeliveries({ automation: 'welcome-email', status: 'pending' })).map((d) => d.id)).toEqual(
        ['welcome-email:e3'],
      );
      expect((await store.listDeliveries({ limit: 1 })).map((d) => d.id)).toEqual(['welcome-email:e3']);
      expect(await store.countDeliveries()).toEqual([
        { automationId: 'error-support', status: 'pending', count: 1 },
        { automationId: 'welcome-email', status: 'delivered', count: 1 },
        { automationId: 'welcome-email', status: 'pending', count: 1 },
      ]);
    });

    it('keeps timers as due rows: waiting per user, due by instant, cancelled or ended once', async () => {
      const store = storeOf();
      await store.update((w) => {
        w.startTimer(timer('t:late', '2026-05-04T12:00:00.000Z'));
        w.startTimer(timer('t:early', '2026-05-03T12:00:00+02:00'));
        w.startTimer(timer('t:bob', '2026-05-03T11:00:00.000Z', { userId: 'bob' }));
        w.startTimer(timer('t:early', '2026-05-09T00:00:00.000Z'));
      });
      const waiting = await store.update((w) => w.waitingTimers('ada'));
      expect(waiting.map((t) => [t.id, t.dueAt])).toEqual([
        ['t:early', '2026-05-03T10:00:00.000Z'],
        ['t:late', '2026-05-04T12:00:00.000Z'],
      ]);
      expect(waiting[0]).toEqual(timer('t:early', '2026-05-03T10:00:00.000Z'));
      const due = await store.update((w) => w.dueTimers('2026-05-03T11:00:00.000Z', 10).map((t) => t.id));
      expect(due).toEqual(['t:early', 't:bob']);
      await store.update((w) => {
        w.cancelTimer('t:early');
        w.endTimer('t:bob', 'fired');
        w.endTimer('t:early', 'fired');
      });
      expect(await store.update((w) => w.dueTimers('2026-06-01T00:00:00.000Z', 10).map((t) => t.id))).toEqual([
        't:late',
      ]);
      await store.resetProjection('automations');
      expect(await store.update((w) => w.waitingTimers('ada'))).toEqual([]);
    });

    it('keeps each user as written', async () => {
      const store = storeOf();
      await store.update((w) => w.putUser(user('ada')));
      expect(await store.update((w) => w.getUser('ada'))).toEqual(user('ada'));
      expect(await store.update((w) => w.getUser('bob'))).toBeUndefined();
    });

    it('tells its listeners after a commit that enqueued, not after one that did not', async () => {
      const store = storeOf();
      let told = 0;
      const unsubscribe = store.onEnqueued(() => told++);
      await store.update((w) => w.putUser(user('ada')));
      await store.update((w) => w.enqueue(delivery('a:e1'), NOW));
      await store.update((w) => w.enqueue(delivery('a:e1'), NOW));
      unsubscribe();
      await store.update((w) => w.enqueue(delivery('a:e2'), NOW));
      expect(told).toBe(1);
    });
  });
};
