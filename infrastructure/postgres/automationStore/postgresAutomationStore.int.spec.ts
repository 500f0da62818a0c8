import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAutomationStoreContract } from '../../../application/ports/automationStore/automationStore.contract.ts';
import { delivery, NOW, pos, timer } from '../../../application/ports/automationStore/automationStore.fixtures.ts';
import { isUnavailableError } from '../../../domain/errors/journeyError.ts';
import { migratedDatabase } from '../../../testing/postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import { connectPostgres } from '../connectPostgres.ts';
import { PostgresAutomationStore } from './postgresAutomationStore.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const fixture = async () => {
  const { pool } = await migratedDatabase(server, { poolSize: 3 });
  const store = new PostgresAutomationStore(pool);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await pool.end();
    },
  };
};

describeAutomationStoreContract('postgres', fixture);

describe('PostgresAutomationStore', () => {
  it('wakes an automator in another process, over LISTEN/NOTIFY, for new and retried deliveries', async () => {
    const { pool, url } = await migratedDatabase(server, { poolSize: 2 });
    const other = await connectPostgres({ url, poolSize: 2 });
    const projector = new PostgresAutomationStore(pool);
    const automator = new PostgresAutomationStore(other);
    let told = 0;
    automator.onEnqueued(() => told++);
    await waitUntil('the automator to listen', async () => {
      const { rows } = await pool.query(
        "SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN journey_automations_enqueued'",
      );
      return rows.length === 1;
    });
    await projector.update((w) => w.enqueue(delivery('a:e1'), NOW));
    await waitUntil('the automator to be told', () => told === 1);
    await projector.update((w) => w.enqueue(delivery('a:e1'), NOW)); // nothing new: no news
    await automator.markFailed('a:e1', 'gone', NOW);
    await projector.retry('a:e1', NOW);
    await waitUntil('the automator to hear of the retry', () => told === 2);
    await Promise.all([projector.close(), automator.close()]);
    await Promise.all([pool.end(), other.end()]);
  });

  it('fires each due timer once when two ticks race: the other waits its turn and finds it ended', async () => {
    const { store, cleanup } = await fixture();
    await store.update((w) => {
      for (let i = 0; i < 20; i++) w.startTimer(timer(`t:${i}`, '2026-05-01T11:00:00.000Z', { userId: `u${i}` }));
    });
    const tick = () =>
      store.update((w) =>
        w.dueTimers(NOW, 500).map((t) => {
          w.endTimer(t.id, 'fired');
          return w.enqueue(delivery(`d:${t.id}`), NOW) ? t.id : undefined;
        }),
      );
    const [first, second] = await Promise.all([tick(), tick()]);
    expect([...first, ...second].filter((id) => id !== undefined).sort()).toHaveLength(20);
    expect(first.length === 0 || second.length === 0).toBe(true);
    await cleanup();
  });

  it('reads past the timers it ended itself to fill the limit of due ones', async () => {
    const { store, cleanup } = await fixture();
    await store.update((w) => {
      for (let i = 0; i < 6; i++) w.startTimer(timer(`t:${i}`, `2026-05-01T11:0${i}:00.000Z`));
    });
    const due = await store.update((w) => {
      for (const id of ['t:0', 't:1', 't:2']) w.cancelTimer(id);
      return w.dueTimers(NOW, 2).map((t) => t.id);
    });
    expect(due).toEqual(['t:3', 't:4']);
    await cleanup();
  });
});

describe('PostgresAutomationStore when its server goes away', () => {
  it('fails with UnavailableError, saying to retry, and keeps the outbox once the server is back', async () => {
    // the shared server commits asynchronously; this database's commits must survive the crash
    const { pool: setup, url } = await migratedDatabase(server, { poolSize: 1 });
    await setup.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = on`);
    await setup.end();
    const pool = await connectPostgres({ url, poolSize: 2 });
    const store = new PostgresAutomationStore(pool);
    await store.applyBatch('automations', { from: null, to: pos(1) }, (w) => w.enqueue(delivery('a:e1'), NOW));
    expect(await store.beginAttempt('a:e1')).toBe(1);
    await server.kill();
    const down = await store
      .applyBatch('automations', { from: pos(1), to: pos(2) }, (w) => w.enqueue(delivery('a:e2'), NOW))
      .catch((e: unknown) => e);
    expect(isUnavailableError(down)).toBe(true);
    expect((down as Error).message).toMatch(
      /PostgreSQL went away while storing the automations batch up to 2\/2 .*retry/,
    );
    expect(isUnavailableError(await store.beginAttempt('a:e1').catch((e: unknown) => e))).toBe(true);
    await server.restart();
    expect(await store.readCheckpoint('automations')).toEqual(pos(1));
    expect(await store.get('a:e1')).toMatchObject({ attempts: 1, status: 'pending' });
    await store.close();
    await pool.end();
  }, 60_000);
});
