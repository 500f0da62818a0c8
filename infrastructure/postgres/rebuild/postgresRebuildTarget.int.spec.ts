import { hostname } from 'node:os';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../application/ports/clock.ts';
import type { EventStore, Position, RecordedEvent } from '../../../application/ports/eventStore/eventStore.ts';
import type { RebuildTarget } from '../../../application/ports/rebuildTarget.ts';
import { alertsProjection } from '../../../projections/alerts/alertsProjection.ts';
import type { CheckpointedStore, Projection } from '../../../projections/projection.ts';
import { rebuildProjections } from '../../../projections/rebuildProjections.ts';
import { timelineProjection } from '../../../projections/timeline/timelineProjection.ts';
import { usersProjection } from '../../../projections/users/usersProjection.ts';
import { journeyEnv } from '../../../testing/journey/journeyEnv.ts';
import { MemoryEventStore } from '../../../testing/memory/memoryEventStore.ts';
import { type ReadModelDatabases, readModelDatabases } from '../../../testing/postgres/readModelDatabases.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import { alertRulesOf } from '../../config/alertsConfig.ts';
import { loadConfig } from '../../config/config.ts';
import { PostgresAlertStore } from '../alertStore/postgresAlertStore.ts';
import { PostgresReadModels } from '../readModels/postgresReadModels.ts';
import { PostgresRebuildTarget } from './postgresRebuildTarget.ts';
import { alertRebuildModel, readModelRebuildModel } from './rebuildModels.ts';

const config = loadConfig(journeyEnv('/nonexistent'));
const projections = {
  timeline: timelineProjection,
  users: usersProjection(new Set(config.JOURNEY_MEANINGFUL_EVENTS)),
  alerts: alertsProjection(alertRulesOf(config), systemClock),
} as const;
type Name = keyof typeof projections;
const NAMES: readonly Name[] = ['timeline', 'users', 'alerts'];

const holder = (since = new Date().toISOString()) => ({ pid: process.pid, host: hostname(), since });

/** a few users over a few days, and a live failed deployment and error, so the alert state and the outbox have rows */
const journeyEvents = async (): Promise<EventStore> => {
  const store = new MemoryEventStore();
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  let n = 0;
  const append = (userId: string, type: string, occurredAt: string, data: Record<string, unknown> = {}) =>
    store.append(`journey-${userId}`, [
      { id: `ev-${++n}`, type, data, metadata: { occurredAt, sourceMessageIds: [`m-${n}`], ruleId: 'test' } },
    ]);
  for (const [u, user] of ['ada', 'bo', 'cy', 'dee', 'eli'].entries()) {
    await append(user, 'UserSignedUp', at(6 * 24 * 60 - u), { email: `${user}@example.com` });
    for (let day = 5; day >= 0; day -= 1 + (u % 2)) {
      await append(user, 'PageViewed', at(day * 24 * 60 + u), { path: `/p${day}` });
      await append(user, 'DeploymentStarted', at(day * 24 * 60 + u - 1), { deploymentId: `d-${user}-${day}` });
      await append(user, 'DeploymentCompleted', at(day * 24 * 60 + u - 2), { deploymentId: `d-${user}-${day}` });
    }
  }
  await append('ada', 'DeploymentStarted', at(3), { deploymentId: 'd-ada-live' });
  await append('ada', 'DeploymentFailed', at(2), { deploymentId: 'd-ada-live', error: 'boom' });
  await append('bo', 'ErrorEncountered', at(1), { status: 500, path: '/api' });
  return store;
};

/** the live model as the projector builds it: batch after batch, each with its checkpoint */
const applyLive = async <W>(
  events: EventStore,
  store: CheckpointedStore<W>,
  name: string,
  projection: Projection<W>,
) => {
  let from: Position | null = null;
  for (;;) {
    const batch: RecordedEvent[] = await events.readAll({
      ...(from ? { fromPosition: from } : {}),
      streamPrefix: projection.streamPrefix,
      maxCount: 3,
    });
    const last = batch[batch.length - 1];
    if (!last) return;
    const result = await store.applyBatch(name, { from, to: last.position }, (w) => {
      for (const e of batch) projection.apply(e, w);
    });
    expect(result).toEqual({ kind: 'stored' });
    from = last.position;
  }
};

let databases: ReadModelDatabases;
beforeAll(async () => {
  databases = await readModelDatabases();
}, 60_000);
afterAll(async () => {
  await databases?.stop();
});

describe('PostgresRebuildTarget', { timeout: 60_000 }, () => {
  /** a database whose live models were built batch by batch from `journeyEvents` */
  const liveDatabase = async () => {
    const db = await databases.fresh({ windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS });
    const url = db.pool.options.connectionString ?? '';
    const events = await journeyEvents();
    const timeline = await PostgresReadModels.open(db.pool);
    const alerts = new PostgresAlertStore(db.pool);
    await applyLive(events, timeline, 'timeline', projections.timeline);
    await applyLive(events, db.store, 'users', projections.users);
    await applyLive(events, alerts, 'alerts', projections.alerts);
    const targetOf = (name: Name): RebuildTarget =>
      new PostgresRebuildTarget(
        name === 'alerts'
          ? alertRebuildModel(projections.alerts)
          : readModelRebuildModel(name, projections[name], { url, windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS }),
        url,
      );
    const withTargets = async <T>(names: readonly Name[], use: (targets: RebuildTarget[]) => Promise<T>) => {
      const targets = names.map(targetOf);
      try {
        return await use(targets);
      } finally {
        for (const t of targets) await t.close();
      }
    };
    return {
      ...db,
      events,
      alerts,
      targetOf,
      withTargets,
      drop: async () => {
        await timeline.close();
        await alerts.close();
        await db.drop();
      },
    };
  };

  const shadowSchemas = async (pool: pg.Pool) =>
    (
      await pool.query<{ nspname: string }>(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'journey\\_%' ESCAPE '\\' ORDER BY nspname",
      )
    ).rows.map((r) => r.nspname);

  it('swaps in a shadow whose content hash equals that of the live models built batch by batch', async () => {
    const db = await liveDatabase();
    const before = await db.withTargets(NAMES, (ts) => Promise.all(ts.map((t) => t.contentHash())));
    const journeyBefore = await db.store.getJourney('ada');
    const raised = await db.alerts.listAlerts();
    expect(raised.map((a) => a.kind)).toContain('deploy-failed');
    // forget one key: a replay that raised alerts would queue it again
    await db.pool.query("DELETE FROM journey.alert_outbox WHERE kind = 'deploy-failed'");
    const outbox = raised.filter((a) => a.kind !== 'deploy-failed');

    const outcomes = await db.withTargets(NAMES, (ts) =>
      rebuildProjections(db.events, ts, { holder: holder(), verify: true, batchSize: 4 }),
    );
    for (const o of outcomes) {
      expect(o.hashes?.rebuilt, o.name).toBe(o.hashes?.replaced);
      expect(o.version, o.name).toBe(2);
    }
    expect(outcomes.map((o) => o.hashes?.rebuilt)).toEqual(before);
    const states = await db.withTargets(NAMES, (ts) => Promise.all(ts.map((t) => t.state())));
    expect(states.map((s) => [s.name, s.version, s.rebuild])).toEqual(NAMES.map((n) => [n, 2, null]));
    expect(states.map((s) => s.checkpoint)).toEqual(outcomes.map((o) => o.checkpoint));
    // the live stores read the swapped-in tables; the rebuild queued no alert again
    expect(await db.store.getJourney('ada')).toEqual(journeyBefore);
    expect(await db.alerts.listAlerts()).toEqual(outbox);
    expect(await shadowSchemas(db.pool)).toEqual([]);
    // the swapped-in tables have the live ones' indexes, by the same names
    const { rows: indexes } = await db.pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'journey' ORDER BY indexname",
    );
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining([
        'timeline_by_user_time',
        'users_by_email',
        'users_by_signup',
        'alert_deployments_running',
        'timeline_event_id_key',
        'users_pkey',
      ]),
    );
    // the catalogue reads the new tables, as journey_reader
    const client = await db.pool.connect();
    try {
      await client.query('SET ROLE journey_reader');
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM analytics.journey_events WHERE user_id = 'ada'",
      );
      expect(rows[0]?.n).toBe(journeyBefore.length);
      const users = await client.query('SELECT user_id, active_days FROM analytics.users ORDER BY user_id');
      expect(users.rows.map((r) => r.user_id)).toEqual(['ada', 'bo', 'cy', 'dee', 'eli']);
      const deployments = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics.deployments');
      expect(deployments.rows[0]?.n).toBeGreaterThan(0);
      await client.query('SELECT * FROM analytics.user_stages_daily');
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
    await db.drop();
  });

  it('leaves readers on the old version until the swap commits, then on the new one', async () => {
    const db = await liveDatabase();
    // an old version that lost ada's page views (as a buggy projection version would have)
    await db.pool.query("DELETE FROM journey.timeline WHERE user_id = 'ada' AND type = 'PageViewed'");
    const types = async () => (await db.store.getJourney('ada')).map((e) => e.type);
    const old = await types();
    const seen: string[][] = [];
    await db.withTargets(['timeline'], async ([target]) => {
      if (!target) throw new Error('no timeline target');
      // asks at every step of the rebuild, the shadow complete but not swapped at the last
      const observed = new Proxy(target, {
        get(t, key, receiver) {
          const value = Reflect.get(t, key, receiver);
          if (key !== 'applyToShadow' && key !== 'indexShadow' && key !== 'swap') return value;
          return async (...args: unknown[]) => {
            seen.push(await types());
            if (key !== 'swap') return (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
            // and inside the swap's transaction, the live writers held, before the tables move
            const [next, options] = args as Parameters<RebuildTarget['swap']>;
            const asking: typeof next = async (after) => {
              seen.push(await types());
              return next(after);
            };
            return t.swap(asking, options);
          };
        },
      });
      await rebuildProjections(db.events, [observed], { holder: holder(), batchSize: 5 });
    });
    expect(seen.length).toBeGreaterThan(5);
    for (const answer of seen) expect(answer).toEqual(old);
    const rebuilt = await types();
    expect(rebuilt.filter((t) => t === 'PageViewed').length).toBeGreaterThan(0);
    expect(rebuilt.filter((t) => t !== 'PageViewed')).toEqual(old);
    await db.drop();
  });

  it("drops an interrupted rebuild's shadow at the next rebuild", async () => {
    const db = await liveDatabase();
    const expected = await db.withTargets(['timeline'], ([t]) => (t as RebuildTarget).contentHash());
    const interrupted = db.targetOf('timeline');
    await interrupted.lock(holder());
    await interrupted.beginShadow();
    await interrupted.applyToShadow(await db.events.readAll({ streamPrefix: 'journey-', maxCount: 5 }));
    await interrupted.shadowCheckpoint();
    // the rebuilding process dies: its connections end with it
    await databases.admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'journey rebuild timeline'",
    );
    await interrupted.close().catch(() => undefined);
    expect(await shadowSchemas(db.pool)).toEqual(['journey_shadow_timeline']);
    // something a shadow may not keep: a row the next rebuild would swap in if it reused it
    await db.pool.query(
      `INSERT INTO journey_shadow_timeline.timeline (user_id, occurred_at, event_id, type, data, rule_id, source_message_ids)
       VALUES ('zed', now(), 'leftover', 'PageViewed', '{}', 'r', '[]')`,
    );
    const [outcome] = await db.withTargets(['timeline'], (ts) =>
      rebuildProjections(db.events, ts, { holder: holder(), verify: true }),
    );
    expect(outcome?.hashes?.rebuilt).toBe(expected);
    expect((await db.pool.query("SELECT 1 FROM journey.timeline WHERE event_id = 'leftover'")).rows).toEqual([]);
    expect(await shadowSchemas(db.pool)).toEqual([]);
    await db.drop();
  });

  it("refuses the lock to a second rebuilder, naming the holder, and frees it when the holder's connection dies", async () => {
    const db = await liveDatabase();
    const first = db.targetOf('users');
    const second = db.targetOf('users');
    const held = holder('2026-11-27T03:00:00.000Z');
    await first.lock(held);
    await expect(second.lock(holder())).rejects.toThrow(
      `projection users is already being rebuilt by pid ${held.pid} on ${held.host} since 2026-11-27T03:00:00.000Z`,
    );
    expect((await second.state()).rebuild).toEqual(held);
    // the holder's lock connection ends (a crash, on this host or another): its session's lock goes
    await databases.admin.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND d.datname = $1`,
      [new URL(db.pool.options.connectionString ?? '').pathname.slice(1)],
    );
    await waitUntil('the lock to be free', async () => (await second.state()).rebuild === null);
    const mine = holder();
    await second.lock(mine);
    expect((await first.state()).rebuild).toEqual(mine);
    await second.unlock(mine);
    expect((await first.state()).rebuild).toBeNull();
    await first.close().catch(() => undefined);
    await second.close();
    await db.drop();
  });
});
