import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRawEventIndexContract } from '../../../application/ports/rawEventIndex/rawEventIndex.contract.ts';
import {
  mappedOutcome,
  rawEvent,
  rejectedOutcome,
} from '../../../application/ports/rawEventIndex/rawEventIndex.fixtures.ts';
import { isUnavailableError } from '../../../domain/errors/journeyError.ts';
import { migratedDatabase } from '../../../testing/postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import { connectPostgres } from '../connectPostgres.ts';
import { PostgresRawEventIndex } from './postgresRawEventIndex.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const open = async () => {
  const { pool, url } = await migratedDatabase(server, { poolSize: 3 });
  const index = new PostgresRawEventIndex(pool);
  return {
    index,
    pool,
    url,
    cleanup: async () => {
      await index.close();
      await pool.end();
    },
  };
};

describeRawEventIndexContract('postgres', open);

/** a pool on `url` that records each statement its one client sends */
const countingPool = (url: string): { pool: pg.Pool; sent: string[] } => {
  const sent: string[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('connect', (client) => {
    const patched = client as unknown as { query: (...args: unknown[]) => unknown };
    const query = patched.query.bind(client);
    patched.query = (...args: unknown[]) => {
      sent.push(typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text));
      return query(...args);
    };
  });
  return { pool, sent };
};

describe('PostgresRawEventIndex', () => {
  it('writes a batch of stored events, outcomes and links as one statement in its transaction', async () => {
    const { pool: setup, url } = await migratedDatabase(server, { poolSize: 1 });
    await setup.end();
    const { pool, sent } = countingPool(url);
    const index = new PostgresRawEventIndex(pool);
    try {
      const stored = Array.from({ length: 500 }, (_, i) =>
        rawEvent(`m${i}`, i, { userId: undefined, anonymousId: `anon-${i % 50}` }),
      );
      await index.record({
        stored,
        outcomes: stored.slice(0, 300).map((e) => mappedOutcome(e)),
        links: [{ anonymousId: 'anon-1', userId: 'ada' }],
      });
      expect(sent).toHaveLength(3); // BEGIN with the turn lock, the write, COMMIT
      expect(sent[1]).toMatch(/unnest/);
      const ada = await index.query({ userId: 'ada' }, { limit: 100 });
      const anon1 = stored.filter((e) => e.anonymousId === 'anon-1').map((e) => e.messageId);
      expect(ada.events.map((e) => e.messageId)).toEqual(anon1.reverse());
      // m1 … m251 have outcomes, m301 … m451 are only stored
      expect(ada.events.map((e) => e.status)).toEqual([...Array(4).fill('pending'), ...Array(6).fill('mapped')]);
      expect(await index.headVersion()).toBe(500);
    } finally {
      await index.close();
      await pool.end();
    }
  });

  it("answers one user's page from the user index, newest first, without sorting", async () => {
    const { index, pool, cleanup } = await open();
    try {
      // one user among many, with more than a page of events: the shape where a scan or a sort costs most
      await index.record({
        stored: Array.from({ length: 20_000 }, (_, i) => rawEvent(`m${i}`, i, { userId: `u${i % 200}` })),
      });
      await pool.query('ANALYZE journey.raw_event_index');
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT * FROM journey.raw_event_index
         WHERE user_key = 'u2' AND (received_at, message_id) < ('2026-05-02T00:00:00.000Z', 'm')
         ORDER BY received_at DESC, message_id DESC LIMIT 51`,
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan Backward using raw_event_index_user/);
      expect(plan).not.toMatch(/Sort/);
      const page = await index.query({ userId: 'u2' }, { limit: 20 });
      expect(page.events[0]?.messageId).toBe('m19802');
      expect(page.next).toEqual({ receivedAt: rawEvent('x', 16002).receivedAt, messageId: 'm16002' });
    } finally {
      await cleanup();
    }
  });

  it('numbers concurrent writers in commit order, so a follower on another pool misses none', async () => {
    const { index: writerA, url, cleanup } = await open();
    const otherPool = await connectPostgres({ url, poolSize: 3 });
    const followerPool = await connectPostgres({ url, poolSize: 1 });
    const writerB = new PostgresRawEventIndex(otherPool);
    const follower = new PostgresRawEventIndex(followerPool);
    const last = new Map<string, string>();
    let writing = true;
    const follow = (async () => {
      let version = 0;
      while (writing || version < (await follower.headVersion())) {
        const { changes, version: next } = await follower.changesSince(version, {}, 1_000);
        for (const c of changes) last.set(c.messageId, c.status);
        version = next;
      }
    })();
    try {
      const batches = Array.from({ length: 40 }, (_, b) => ({
        writer: b % 2 === 0 ? writerA : writerB,
        events: Array.from({ length: 25 }, (_, i) => rawEvent(`b${b}-${i}`, b)),
      }));
      await Promise.all(batches.map(({ writer, events }) => writer.record({ stored: events })));
      await Promise.all(
        batches.map(({ writer, events }) => writer.record({ outcomes: events.map((e) => mappedOutcome(e)) })),
      );
      writing = false;
      await follow;
      // a version committed after a higher one would have been stepped over: some row not seen mapped
      expect(last.size).toBe(1_000);
      expect(new Set(last.values())).toEqual(new Set(['mapped']));
      expect(await follower.headVersion()).toBe(2_000);
    } finally {
      // a failed write must not leave the follower polling a closed index
      writing = false;
      await follow.catch(() => undefined);
      await Promise.all([follower.close(), writerB.close()]);
      await Promise.all([followerPool.end(), otherPool.end()]);
      await cleanup();
    }
  });

  it('tells followers in another process of writes over LISTEN/NOTIFY, and of nothing that changed nothing', async () => {
    const { index: writer, pool, url, cleanup } = await open();
    const otherPool = await connectPostgres({ url, poolSize: 2 });
    const follower = new PostgresRawEventIndex(otherPool);
    try {
      let told = 0;
      follower.onChange(() => told++);
      await waitUntil('the follower to listen', async () => {
        const { rows } = await pool.query(
          "SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN journey_raw_events_written'",
        );
        return rows.length === 1;
      });
      const event = rawEvent('m1', 1);
      await writer.record({ stored: [event] });
      await waitUntil('the follower to be told', () => told === 1);
      await writer.record({ stored: [event] }); // indexed already: no news
      await writer.record({ outcomes: [mappedOutcome(event)] });
      await waitUntil('the follower to hear of the outcome', () => told === 2);
      expect(told).toBe(2);
    } finally {
      await follower.close();
      await otherPool.end();
      await cleanup();
    }
  });

  it('stores U+0000, which PostgreSQL text cannot hold, as U+FFFD rather than failing the batch', async () => {
    const { index, cleanup } = await open();
    try {
      const event = rawEvent('m\u00001', 1, { userId: 'a\u0000b', properties: { note: 'x\u0000y' } });
      await index.record({ stored: [event] });
      await index.record({ outcomes: [rejectedOutcome(event, 'rule r: field \u0000')] });
      const [found] = (await index.query({ userId: 'a\u0000b' }, { limit: 5 })).events;
      expect(found).toMatchObject({ messageId: 'm\uFFFD1', userId: 'a\uFFFDb', status: 'rejected' });
      expect(found?.reason).toBe('rule r: field \uFFFD');
      expect(found?.raw).toMatchObject({ properties: { note: 'x\uFFFDy' } });
    } finally {
      await cleanup();
    }
  });
});

// last: it restarts the server the other cases share
describe('PostgresRawEventIndex when its server goes away', () => {
  it('fails with UnavailableError, saying to retry, and keeps what it wrote once the server is back', async () => {
    const { pool: setup, url } = await migratedDatabase(server, { poolSize: 1 });
    // the shared server commits asynchronously; this database's commits must survive the crash
    await setup.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = on`);
    await setup.end();
    const pool = await connectPostgres({ url, poolSize: 2 });
    const index = new PostgresRawEventIndex(pool);
    await index.record({ stored: [rawEvent('m1', 1)] });
    // the index's commit does not wait for the WAL flush (WriteOpening.readModel); a durable commit after
    // it (this DDL) flushes the WAL up to there, so m1 is on disk before the crash
    await pool.query('CREATE TABLE flushed_before_the_crash ()');
    await server.kill();
    const down = await index.record({ stored: [rawEvent('m2', 2)] }).catch((e: unknown) => e);
    expect(isUnavailableError(down)).toBe(true);
    expect((down as Error).message).toMatch(
      /PostgreSQL went away while writing a batch of 1 to the raw-event index .*retry/,
    );
    expect(isUnavailableError(await index.query({}, { limit: 5 }).catch((e: unknown) => e))).toBe(true);
    expect(isUnavailableError(await index.changesSince(0, {}, 5).catch((e: unknown) => e))).toBe(true);
    await server.restart();
    expect((await index.query({}, { limit: 5 })).events.map((e) => e.messageId)).toEqual(['m1']);
    await index.close();
    await pool.end();
  }, 60_000);
});
