import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, AlertStoreToken } from '../../application/ports/alertStore/alertStore.ts';
import { systemClock } from '../../application/ports/clock.ts';
import { type EventStore, EventStoreToken } from '../../application/ports/eventStore/eventStore.ts';
import type { RebuildTarget } from '../../application/ports/rebuildTarget.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { SqliteReadModels } from '../../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import { rebuildProjections } from '../../projections/rebuildProjections.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import {
  HAND_MADE_AS_OF,
  handMadeDaveJourney,
  handMadeEvents,
  handMadeFunnelAnswer,
} from '../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN as API_TOKEN, journeyEnv, TEST_WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../testing/journey/pipelineSettled.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { type RunningJourney, startJourney } from '../journey/startJourney.ts';
import { readModelFileOf } from './journeyProjections.ts';
import { type RebuildableProjection, rebuildableProjectionsOf, rebuildTargetOf } from './rebuildTargets.ts';

const holder = () => ({ pid: process.pid, host: hostname(), since: new Date().toISOString() });

describe('rebuilding projections while Journey serves', { timeout: 120_000 }, () => {
  let data: TempDataDir;
  let dataDir: string;
  let journey: RunningJourney;
  let url: string;
  let config: ReturnType<typeof loadConfig>;
  const targets = (names: readonly RebuildableProjection[] = rebuildableProjectionsOf(config)) =>
    names.map((name) => rebuildTargetOf(config, name, systemClock));
  const withTargets = async <T>(names: readonly RebuildableProjection[], use: (ts: RebuildTarget[]) => Promise<T>) => {
    const ts = targets(names);
    try {
      return await use(ts);
    } finally {
      for (const t of ts) await t.close();
    }
  };
  const api = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const daveTypes = async () =>
    ((await api('/api/users/dave/journey')).body.events as { type: string }[]).map((e) => e.type);

  beforeAll(async () => {
    data = await tempDataDir('rebuild');
    dataDir = data.dir;
    config = loadConfig(journeyEnv(dataDir));
    journey = await startJourney(config);
    url = journey.url ?? '';
    const now = new Date().toISOString();
    const live = [
      // live events, so the alert projection raises (and the alerter delivers) real alerts
      { type: 'track', userId: 'ivy', event: 'Signed Up', timestamp: now, properties: {} },
      {
        type: 'track',
        userId: 'ivy',
        event: 'Deployment Failed',
        timestamp: now,
        properties: { deploymentId: 'd-ivy', error: 'boom' },
      },
    ];
    const response = await postBatch(url, TEST_WRITE_KEY, [...handMadeEvents(), ...live]);
    expect(response.status).toBe(200);
    await pipelineSettled(journey, 60_000);
  }, 120_000);

  afterAll(async () => {
    await journey?.stop();
    await data?.remove();
  });

  it('gives read models whose content hash equals the live one when nothing changed, twice over', async () => {
    const daveSessions = (await api('/api/users/dave/sessions')).body;
    expect((daveSessions.sessions as unknown[]).length).toBeGreaterThan(0);
    const before = await withTargets(rebuildableProjectionsOf(config), (ts) =>
      Promise.all(ts.map((t) => t.contentHash())),
    );
    const first = await withTargets(rebuildableProjectionsOf(config), (ts) =>
      rebuildProjections(journey.container.get<EventStore>(EventStoreToken), ts, {
        holder: holder(),
        verify: true,
        batchSize: 7,
      }),
    );
    for (const outcome of first) {
      expect(outcome.hashes?.rebuilt, outcome.name).toBe(outcome.hashes?.replaced);
      expect(outcome.version).toBe(2);
    }
    expect(first.map((o) => o.hashes?.rebuilt)).toEqual(before);
    const second = await withTargets(rebuildableProjectionsOf(config), (ts) =>
      rebuildProjections(journey.container.get<EventStore>(EventStoreToken), ts, { holder: holder(), verify: true }),
    );
    expect(second.map((o) => o.hashes?.rebuilt)).toEqual(before);
    expect(second.map((o) => o.version)).toEqual(rebuildableProjectionsOf(config).map(() => 3));
    // the API's connections now read the swapped-in tables
    expect((await api(`/api/funnel?asOf=${HAND_MADE_AS_OF}`)).body).toEqual(handMadeFunnelAnswer);
    expect(await daveTypes()).toEqual(handMadeDaveJourney);
    expect((await api('/api/users/dave/sessions')).body).toEqual(daveSessions);
    // the swapped-in index keeps its rebuilt name; opening the store again adds no duplicate
    await new SqliteReadModels(readModelFileOf(config, 'timeline')).close();
    const db = new Database(readModelFileOf(config, 'timeline'), { readonly: true });
    const indexes = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'timeline' AND sql IS NOT NULL",
      )
      .all();
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_\\_v%' ESCAPE '\\'",
      )
      .all();
    db.close();
    expect(indexes.map((i) => i.name)).toEqual(['timeline_by_user_time__v3']);
    expect(tables).toEqual([]);
  });

  it('keeps answering from the old version until the swap, then from the new one', async () => {
    // an old version that lost dave's page views (as a buggy projection version would have)
    const db = new Database(readModelFileOf(config, 'timeline'));
    db.pragma('busy_timeout = 5000');
    db.prepare("DELETE FROM timeline WHERE user_id = 'dave' AND type = 'PageViewed'").run();
    db.close();
    const old = handMadeDaveJourney.filter((t) => t !== 'PageViewed');
    expect(await daveTypes()).toEqual(old);

    const seen: string[][] = [];
    const [target] = targets(['timeline']);
    if (!target) throw new Error('no timeline target');
    // asks the API at every step of the rebuild, the shadow being complete but not swapped at the last
    const observed = new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver);
        if (key !== 'applyToShadow' && key !== 'indexShadow' && key !== 'swap') return value;
        return async (...args: unknown[]) => {
          seen.push(await daveTypes());
          return (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
        };
      },
    });
    try {
      await rebuildProjections(journey.container.get<EventStore>(EventStoreToken), [observed], {
        holder: holder(),
        batchSize: 5,
      });
    } finally {
      await target.close();
    }
    expect(seen.length).toBeGreaterThan(4);
    for (const answer of seen) expect(answer).toEqual(old);
    expect(await daveTypes()).toEqual(handMadeDaveJourney);
  });

  it('raises no alert: delivered alerts stay as they were and a rebuild never re-queues one', async () => {
    const alerts = journey.container.get<AlertStore>(AlertStoreToken);
    const before = await alerts.listAlerts();
    expect(before.map((a) => a.kind).sort()).toEqual(['deploy-failed', 'signup']);
    // wait for the alerter to have handled them (logged: Slack is not configured here)
    await waitUntil(
      'the alerter to handle the alerts',
      async () => (await alerts.pending(new Date().toISOString(), 10)).length === 0,
    );
    const delivered = await alerts.listAlerts();
    // forget one key: a replay that raised alerts would queue it again
    const db = new Database(join(dataDir, 'alerts.db'));
    db.pragma('busy_timeout = 5000');
    db.prepare("DELETE FROM alerts WHERE kind = 'signup'").run();
    db.close();
    await withTargets(['alerts'], (ts) =>
      rebuildProjections(journey.container.get<EventStore>(EventStoreToken), ts, { holder: holder() }),
    );
    expect(await alerts.listAlerts()).toEqual(delivered.filter((a) => a.kind !== 'signup'));
  });

  it('allows one rebuild of a projection at a time and says who holds it', async () => {
    await withTargets(['users'], async ([held]) => {
      if (!held) throw new Error('no users target');
      const holding = { pid: process.pid, host: hostname(), since: '2026-11-27T03:00:00.000Z' };
      await held.lock(holding);
      try {
        const attempt = withTargets(['users'], (ts) =>
          rebuildProjections(journey.container.get<EventStore>(EventStoreToken), ts, { holder: holder() }),
        );
        await expect(attempt).rejects.toThrow(
          `projection users is already being rebuilt by pid ${process.pid} on ${hostname()} since 2026-11-27T03:00:00.000Z`,
        );
        expect((await held.state()).rebuild).toEqual(holding);
      } finally {
        await held.unlock(holding);
      }
    });
  });

  it('takes over a lock left by a process that died on this host', async () => {
    await withTargets(['users'], async ([t]) => {
      if (!t) throw new Error('no users target');
      // a pid far above pid_max is never alive
      await t.lock({ pid: 2 ** 30, host: hostname(), since: '2026-11-27T03:00:00.000Z' });
    });
    const [outcome] = await withTargets(['users'], (ts) =>
      rebuildProjections(journey.container.get<EventStore>(EventStoreToken), ts, { holder: holder() }),
    );
    expect(outcome?.name).toBe('users');
    await withTargets(['users'], async ([t]) => expect((await t?.state())?.rebuild).toBeNull());
  });
});
