import { describe, expect, it } from 'vitest';
import type { AlertDraft } from '../../../domain/alerts/alert.ts';
import type { ErrorGroup, TrackedDeployment } from '../../../domain/alerts/alertRules.ts';
import { type AlertStateLoader, applyPrefetched } from './applyPrefetched.ts';
import { errorGroupKey, slowAlertKey } from './recordingAlertWriter.ts';

const NOW = '2026-05-01T12:00:00.000Z';
const draft = (key: string): AlertDraft => ({
  key,
  kind: 'deploy-slow',
  userId: 'u',
  occurredAt: '2026-05-01T13:59:00+02:00',
  content: { headline: key, facts: [] },
});
const running = (deploymentId: string, startedAt: string): TrackedDeployment => ({
  deploymentId,
  userId: 'u',
  startedAt,
});

/** stored rows, and a loader over them that keeps what it was asked for per round */
const tables = (rows: { deployments?: TrackedDeployment[]; groups?: ErrorGroup[]; alertKeys?: string[] }) => {
  const deployments = rows.deployments ?? [];
  const alertKeys = new Set(rows.alertKeys ?? []);
  const rounds: string[][] = [];
  const load: AlertStateLoader = async (wants, into) => {
    rounds.push([
      ...[...wants.deploymentIds].map((id) => `deployment ${id}`),
      ...[...wants.errorGroups.values()].map((g) => `group ${g.userId}/${g.code}`),
      ...[...wants.alertKeys].map((key) => `alert ${key}`),
      ...[...wants.dueRanges.values()].map((r) => `due ${r.from}..${r.before}`),
    ]);
    for (const id of wants.deploymentIds)
      into.deployments.set(id, deployments.find((d) => d.deploymentId === id) ?? null);
    for (const [key, { userId, code }] of wants.errorGroups)
      into.errorGroups.set(
        key,
        rows.groups?.find((g) => errorGroupKey(g.userId, g.code) === errorGroupKey(userId, code)) ?? null,
      );
    for (const key of wants.alertKeys) into.alertKeys.set(key, alertKeys.has(key));
    for (const [key, { from, before }] of wants.dueRanges) {
      const inRange = deployments.filter((d) => !d.finished && d.startedAt >= from && d.startedAt < before);
      into.dueRanges.set(
        key,
        inRange.map((d) => d.deploymentId),
      );
      for (const d of inRange) {
        into.deployments.set(d.deploymentId, d);
        into.alertKeys.set(slowAlertKey(d.deploymentId), alertKeys.has(slowAlertKey(d.deploymentId)));
      }
    }
  };
  return { load, rounds };
};

describe('applying alert writes against prefetched state', () => {
  it('loads what apply asked for, in bulk per round, until it asks for nothing new', async () => {
    const stored = tables({ deployments: [running('d1', '2026-05-01T11:00:00.000Z')] });
    const { result, changes } = await applyPrefetched((w) => {
      const d1 = w.getDeployment('d1');
      const d2 = w.getDeployment('d2');
      // the follow-up read depends on the first answer, so it needs a second round
      const slow = d1 ? w.hasAlert(slowAlertKey(d1.deploymentId)) : undefined;
      if (d1) w.putDeployment({ ...d1, finished: { outcome: 'completed', at: '2026-05-01T13:00:00+02:00' } });
      return [d1?.deploymentId, d2, slow];
    }, stored.load);
    expect(result).toEqual(['d1', undefined, false]);
    expect(stored.rounds).toEqual([['deployment d1', 'deployment d2'], ['alert deploy-slow:d1']]);
    expect(changes.deployments).toEqual([
      {
        ...running('d1', '2026-05-01T11:00:00.000Z'),
        finished: { outcome: 'completed', at: '2026-05-01T11:00:00.000Z' },
      },
    ]);
  });

  it('raises a key once, whether it is stored or was raised earlier in the same apply, keeping the order raised', async () => {
    const stored = tables({ alertKeys: ['old'] });
    const { result, changes } = await applyPrefetched(
      (w) => ['b', 'old', 'a', 'b'].map((key) => w.raise(draft(key), NOW)),
      stored.load,
    );
    expect(result).toEqual([true, false, true, false]);
    expect(changes.alerts.map((a) => [a.key, a.occurredAt, a.raisedAt])).toEqual([
      ['b', '2026-05-01T11:59:00.000Z', NOW],
      ['a', '2026-05-01T11:59:00.000Z', NOW],
    ]);
  });

  it('finds due deployments among stored rows and its own writes, leaving out finished and slow-alerted ones', async () => {
    const stored = tables({
      deployments: [
        running('stored', '2026-05-01T11:10:00.000Z'),
        running('alerted', '2026-05-01T11:05:00.000Z'),
        running('finishing', '2026-05-01T11:01:00.000Z'),
      ],
      alertKeys: [slowAlertKey('alerted')],
    });
    const { result } = await applyPrefetched((w) => {
      w.putDeployment(running('mine', '2026-05-01T11:02:00.000Z'));
      w.putDeployment(running('raisedNow', '2026-05-01T11:03:00.000Z'));
      w.raise(draft(slowAlertKey('raisedNow')), NOW);
      const finishing = w.getDeployment('finishing');
      if (finishing) w.putDeployment({ ...finishing, finished: { outcome: 'failed', at: NOW } });
      return w.dueDeployments('2026-05-01T11:00:00.000Z', '2026-05-01T11:50:00.000Z').map((d) => d.deploymentId);
    }, stored.load);
    expect(result).toEqual(['mine', 'stored']);
  });

  it('keeps error groups per user and code', async () => {
    const group: ErrorGroup = { userId: 'u', code: 'E1', windowStart: NOW, count: 1, alertKey: 'error:u:E1' };
    const stored = tables({ groups: [group] });
    const { result, changes } = await applyPrefetched((w) => {
      const found = w.getErrorGroup('u', 'E1');
      if (found) w.putErrorGroup({ ...found, count: found.count + 1 });
      return [w.getErrorGroup('u', 'E1')?.count, w.getErrorGroup('v', 'E1')];
    }, stored.load);
    expect(result).toEqual([2, undefined]);
    expect(changes.errorGroups).toEqual([{ ...group, count: 2 }]);
  });

  it('runs again an apply that threw on a guessed answer, and rethrows one that throws on loaded state', async () => {
    const stored = tables({ deployments: [running('d1', NOW)] });
    const { result } = await applyPrefetched((w) => {
      const d1 = w.getDeployment('d1');
      if (!d1) throw new Error('d1 must exist');
      return d1.deploymentId;
    }, stored.load);
    expect(result).toBe('d1');
    await expect(
      applyPrefetched((w) => {
        if (!w.getDeployment('gone')) throw new Error('boom');
      }, stored.load),
    ).rejects.toThrow('boom');
  });

  it('stops an apply that keeps asking for new state, saying why', async () => {
    let n = 0;
    await expect(applyPrefetched((w) => w.hasAlert(`key-${n++}`), tables({}).load)).rejects.toThrow(
      /still asked for new state after 50 reads/,
    );
  });
});
