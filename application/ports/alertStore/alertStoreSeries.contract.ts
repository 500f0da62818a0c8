import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertDraft, AlertKind } from '../../../domain/alerts/alert.ts';
import type { AlertStoreFactory } from './alertStore.contract.ts';
import type { AlertStore } from './alertStore.ts';

const NOW = '2026-05-01T12:00:00.000Z';
const draft = (key: string, kind: AlertKind, occurredAt: string): AlertDraft => ({
  key,
  kind,
  userId: 'ada',
  occurredAt,
  content: { headline: key, facts: [] },
});

/** The counts behind alerts per day (Grafana) and alerts by state (/metrics); every adapter runs it. */
export const describeAlertStoreSeriesContract = (name: string, factory: AlertStoreFactory): void => {
  describe(`AlertStore series contract: ${name}`, () => {
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

    it('counts alerts per UTC day of event time and kind, both ends included, by date then kind', async () => {
      const store = storeOf();
      await store.update((w) => {
        w.raise(draft('before', 'signup', '2026-02-28T23:59:59.999Z'), NOW);
        w.raise(draft('s1', 'signup', '2026-03-01T00:00:00.000Z'), NOW);
        w.raise(draft('s2', 'signup', '2026-03-01T23:59:59.999Z'), NOW);
        w.raise(draft('e1', 'error', '2026-03-01T12:00:00.000Z'), NOW);
        // 00:30 at +02:00 is 22:30 UTC the day before
        w.raise(draft('f1', 'deploy-failed', '2026-03-04T00:30:00+02:00'), NOW);
        w.raise(draft('after', 'signup', '2026-03-04T00:00:00.000Z'), NOW);
      });
      expect(await store.countAlertsByDay('2026-03-01', '2026-03-03')).toEqual([
        { date: '2026-03-01', kind: 'error', count: 1 },
        { date: '2026-03-01', kind: 'signup', count: 2 },
        { date: '2026-03-03', kind: 'deploy-failed', count: 1 },
      ]);
      expect(await store.countAlertsByDay('2026-04-01', '2026-04-02')).toEqual([]);
    });

    it('counts alerts in each delivery state, naming every state', async () => {
      const store = storeOf();
      expect(await store.countAlertsByStatus()).toEqual({ pending: 0, posted: 0, logged: 0, failed: 0, skipped: 0 });
      await store.update((w) => {
        for (const key of ['a', 'b', 'c', 'd']) w.raise(draft(key, 'signup', NOW), NOW);
      });
      await store.markPosted('a', { channel: 'C1', ts: '1.1', at: NOW });
      await store.markFailed('b', 'channel_not_found', NOW);
      await store.markLogged('c', NOW);
      expect(await store.countAlertsByStatus()).toEqual({ pending: 1, posted: 1, logged: 1, failed: 1, skipped: 0 });
    });
  });
};
