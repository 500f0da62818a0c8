import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSessionStoreContract } from '../../../application/ports/sessionStore/sessionStore.contract.ts';
import { activity, pos, session } from '../../../application/ports/sessionStore/sessionStore.fixtures.ts';
import { isUnavailableError } from '../../../domain/errors/journeyError.ts';
import { migratedDatabase } from '../../../testing/postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { checkSessionsMatchRecomputation } from '../../../testing/sessions/sessionsProperty.ts';
import { connectPostgres } from '../connectPostgres.ts';
import { PostgresSessionStore } from './postgresSessionStore.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const open = async () => {
  const { pool } = await migratedDatabase(server, { poolSize: 2 });
  const store = new PostgresSessionStore(pool);
  return {
    store,
    pool,
    cleanup: async () => {
      await store.close();
      await pool.end();
    },
  };
};

describeSessionStoreContract('postgres', open);

describe('PostgresSessionStore', () => {
  it('keeps, whatever order the events arrive in, the sessions of all of them sorted by time', async () => {
    // one database emptied between runs: making one per run costs most of the time
    const { pool } = await migratedDatabase(server, { poolSize: 2 });
    const emptied = async () => {
      await pool.query('TRUNCATE journey.sessions, journey.session_activity, journey.session_checkpoints');
      const store = new PostgresSessionStore(pool);
      return { store, cleanup: () => store.close() };
    };
    await checkSessionsMatchRecomputation(emptied, 20);
    await pool.end();
  }, 30_000);

  it('orders message ids by their bytes, as SQLite does, not by UTF-16 units', async () => {
    const { store, cleanup } = await open();
    // U+FF5E sorts after U+1F600 in UTF-16 units, before it in UTF-8 bytes
    const ids = ['\u{1F600}', '\uFF5E', 'a'];
    await store.applyBatch('sessions', { from: null, to: pos(1) }, (w) => {
      for (const id of ids) w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', id));
    });
    let read: string[] = [];
    await store.applyBatch('sessions', { from: pos(1), to: pos(2) }, (w) => {
      w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'b'));
      read = w.activities('ada', {}).map((a) => a.messageId);
    });
    expect(read).toEqual(['a', 'b', '\uFF5E', '\u{1F600}']);
    await cleanup();
  });

  it('stores U+0000, which PostgreSQL text cannot hold, as U+FFFD rather than failing the batch', async () => {
    const { store, cleanup } = await open();
    const s = session('a\u0000b', '2026-05-01T10:00:00.000Z', 'm\u00001', { entryUrl: 'https://x.test/\u0000' });
    await store.applyBatch('sessions', { from: null, to: pos(1) }, (w) => {
      w.addActivity('a\u0000b', activity('2026-05-01T10:00:00.000Z', 'm\u00001'));
      w.putSession(s);
    });
    expect((await store.sessionsOf('a\u0000b'))[0]?.entryUrl).toBe('https://x.test/\uFFFD');
    await cleanup();
  });
});

// last: it restarts the server the other cases share
describe('PostgresSessionStore when its server goes away', () => {
  it('fails with UnavailableError, saying to retry, and goes on from its checkpoint once the server is back', async () => {
    const crashing = server;
    {
      // the shared server commits asynchronously; this database's commits must survive the crash
      const { pool: setup, url } = await migratedDatabase(crashing, { poolSize: 1 });
      await setup.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = on`);
      await setup.end();
      const pool = await connectPostgres({ url, poolSize: 2 });
      const store = new PostgresSessionStore(pool);
      const first = session('ada', '2026-05-01T10:00:00.000Z', 'm1');
      await store.applyBatch('sessions', { from: null, to: pos(1) }, (w) => w.putSession(first));
      // a read model's commit does not wait for the WAL flush (WriteOpening.readModel); a durable commit
      // after it (this DDL) flushes the WAL up to there, so the batch is on disk before the crash
      await pool.query('CREATE TABLE flushed_before_the_crash ()');
      await crashing.kill();
      const down = await store
        .applyBatch('sessions', { from: pos(1), to: pos(2) }, (w) =>
          w.putSession(session('ada', '2026-05-01T12:00:00.000Z', 'm2')),
        )
        .catch((e: unknown) => e);
      expect(isUnavailableError(down)).toBe(true);
      expect((down as Error).message).toMatch(/PostgreSQL went away while storing a batch of sessions .*retry/);
      expect(isUnavailableError(await store.sessionsOf('ada').catch((e: unknown) => e))).toBe(true);
      await crashing.restart();
      expect(await store.readCheckpoint('sessions')).toEqual(pos(1));
      expect(await store.sessionsOf('ada')).toEqual([first]);
      await store.close();
      await pool.end();
    }
  }, 60_000);
});
