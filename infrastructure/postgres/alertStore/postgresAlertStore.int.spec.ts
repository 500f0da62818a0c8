import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseSlowDeployments } from '../../../application/alerts/raiseSlowDeployments.ts';
import { describeAlertStoreContract } from '../../../application/ports/alertStore/alertStore.contract.ts';
import type { AlertStore } from '../../../application/ports/alertStore/alertStore.ts';
import { describeAlertStoreSeriesContract } from '../../../application/ports/alertStore/alertStoreSeries.contract.ts';
import type { Position } from '../../../application/ports/eventStore/eventStore.ts';
import type { AlertDraft } from '../../../domain/alerts/alert.ts';
import { defaultAlertRules } from '../../../domain/alerts/alert.ts';
import { isUnavailableError } from '../../../domain/errors/journeyError.ts';
import { alertsProjection } from '../../../projections/alerts/alertsProjection.ts';
import { MemoryAlertStore } from '../../../testing/memory/memoryAlertStore.ts';
import { migratedDatabase } from '../../../testing/postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { applying } from '../../../testing/projections/projectionSpec.ts';
import { recorded } from '../../../testing/projections/recordedEvent.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import { connectPostgres } from '../connectPostgres.ts';
import { PostgresAlertStore } from './postgresAlertStore.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const fixture = async () => {
  const { pool } = await migratedDatabase(server);
  const store = new PostgresAlertStore(pool);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await pool.end();
    },
  };
};

describeAlertStoreContract('postgres', fixture);
describeAlertStoreSeriesContract('postgres', fixture);

const NOW = '2026-05-01T12:00:00.000Z';
const pos = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const draft = (key: string): AlertDraft => ({
  key,
  kind: 'signup',
  userId: 'ada',
  occurredAt: NOW,
  content: { headline: key, facts: [] },
});
const keysOf = async (store: PostgresAlertStore): Promise<string[]> =>
  (await store.duePage(NOW, 10)).alerts.map((a) => a.key);

const T = Date.parse(NOW);
const at = (min: number): string => new Date(T + min * 60_000).toISOString();
const projection = alertsProjection(defaultAlertRules, { now: () => T });

/** the alerts projection and the slow timer over two batches, and everything the store answers after */
const scenario = async (store: AlertStore) => {
  await applying(
    projection,
    store,
  )([
    recorded('ada', 'UserSignedUp', '2026-05-01T13:59:00+02:00', { email: 'ada@example.com' }),
    recorded('ada', 'DeploymentStarted', at(-11), { deploymentId: 'd1', projectId: 'p1' }),
    recorded('ada', 'DeploymentStarted', at(-11), { deploymentId: 'd2' }),
    recorded('ada', 'DeploymentFailed', at(-2), { deploymentId: 'd2', error: 'OOM' }),
    recorded('ada', 'DeploymentStarted', at(-3), { deploymentId: 'd3' }),
    recorded('ada', 'ErrorEncountered', at(-10), { status: 503 }),
    recorded('ada', 'ErrorEncountered', at(-9), { status: 503 }),
    recorded('bob', 'ErrorEncountered', at(-9), { status: 503 }),
  ]);
  const slow = [await raiseSlowDeployments(store, defaultAlertRules, T)];
  await applying(
    projection,
    store,
  )([
    recorded('ada', 'DeploymentCompleted', at(1), { deploymentId: 'd1' }),
    recorded('ada', 'ErrorEncountered', at(0), { status: 503 }),
    recorded('ada', 'DeploymentStarted', at(15), { deploymentId: 'd4' }),
  ]);
  slow.push(await raiseSlowDeployments(store, defaultAlertRules, T + 20 * 60_000));
  return {
    slow,
    alerts: await store.listAlerts(),
    due: (await store.duePage(NOW, 100)).alerts,
    byDay: await store.countAlertsByDay('2026-04-30', '2026-05-02'),
    byStatus: await store.countAlertsByStatus(),
    state: await store.update((w) => [
      ['d1', 'd2', 'd3', 'none'].map((id) => w.getDeployment(id)),
      w.getErrorGroup('ada', 'HTTP 503'),
      w.getErrorGroup('bob', 'HTTP 503'),
      w.dueDeployments(at(-60), at(60)),
    ]),
  };
};

describe('PostgresAlertStore', () => {
  it('answers exactly as the reference store for the alerts projection and the slow timer', async () => {
    const { store, cleanup } = await fixture();
    const reference = new MemoryAlertStore();
    const answers = await scenario(store);
    expect(answers.alerts).toHaveLength(9);
    expect(answers.state.at(-1)).toHaveLength(1);
    expect(answers).toStrictEqual(await scenario(reference));
    await cleanup();
  });

  it('wakes an alerter in another process: its store hears the commit over LISTEN/NOTIFY', async () => {
    const { pool, url } = await migratedDatabase(server);
    const other = await connectPostgres({ url, poolSize: 2 });
    const projector = new PostgresAlertStore(pool);
    const alerter = new PostgresAlertStore(other);
    let told = 0;
    alerter.onRaised(() => told++);
    await waitUntil('the alerter to listen', async () => {
      const { rows } = await pool.query("SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN journey_alerts_raised'");
      return rows.length === 1;
    });
    await projector.update((w) => w.raise(draft('signup:a'), NOW));
    await waitUntil('the alerter to be told', () => told === 1);
    await projector.update((w) => w.raise(draft('signup:a'), NOW)); // nothing new: no news
    await alerter.update((w) => w.raise(draft('signup:b'), NOW)); // its own: told once, not again by the echo
    await projector.update((w) => w.raise(draft('signup:c'), NOW));
    await waitUntil('the alerter to be told again', () => told === 3);
    await Promise.all([projector.close(), alerter.close()]);
    await Promise.all([pool.end(), other.end()]);
  });
});

describe('PostgresAlertStore when its server goes away', () => {
  // durable: a crash must keep what was committed, as on a real server
  let crashing: PostgresServer;
  beforeAll(async () => {
    crashing = await startPostgresServer({ durable: true });
  }, 60_000);
  afterAll(async () => {
    await crashing?.stop();
  });

  it('fails with UnavailableError while the server is down, and works again once it is back, losing nothing', async () => {
    const { pool } = await migratedDatabase(crashing);
    const store = new PostgresAlertStore(pool);
    const alerter = new PostgresAlertStore(pool);
    let told = 0;
    alerter.onRaised(() => told++);
    await store.applyBatch('alerts', { from: null, to: pos(1) }, (w) => w.raise(draft('signup:a'), NOW));
    await waitUntil('the alerter to hear of signup:a', () => told === 1);
    await crashing.kill();
    const down = await store
      .applyBatch('alerts', { from: pos(1), to: pos(2) }, (w) => w.raise(draft('signup:b'), NOW))
      .catch((e: unknown) => e);
    expect(isUnavailableError(down)).toBe(true);
    expect((down as Error).message).toMatch(/PostgreSQL went away while storing the alerts batch up to 2\/2 .*retry/);
    expect(isUnavailableError(await store.duePage(NOW, 10).catch((e: unknown) => e))).toBe(true);
    await crashing.restart();
    // it listens again, and wakes once for what it may have missed meanwhile
    await waitUntil('the alerter to listen again', () => told === 2);
    expect(
      await store.applyBatch('alerts', { from: pos(1), to: pos(2) }, (w) => w.raise(draft('signup:b'), NOW)),
    ).toEqual({
      kind: 'stored',
    });
    expect(await keysOf(store)).toEqual(['signup:a', 'signup:b']);
    expect(await store.readCheckpoint('alerts')).toEqual(pos(2));
    await waitUntil('the alerter to hear of signup:b', () => told === 3);
    await Promise.all([store.close(), alerter.close()]);
    await pool.end();
  }, 60_000);
});
