import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAlertStoreContract } from '../../../application/ports/alertStore/alertStore.contract.ts';
import { describeLeasesContract } from '../../../application/ports/lease/lease.contract.ts';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import type { AlertDraft } from '../../../domain/alerts/alert.ts';
import { isLeaseLostError } from '../../../domain/errors/leaseLostError.ts';
import { migratedDatabase } from '../../../testing/postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { PostgresAlertStore } from '../alertStore/postgresAlertStore.ts';
import { connectPostgres } from '../connectPostgres.ts';
import { fenceStatement, throwUnlessHeld } from './fenceStatement.ts';
import { PostgresLeases } from './postgresLeases.ts';

/** the fence on a round trip of its own, in a transaction already begun, with the idle limit given */
const checkFence = async (client: pg.ClientBase, fence: LeaseGrant, doing: string, idleTimeoutMs?: number) =>
  throwUnlessHeld((await client.query(fenceStatement(client, fence.role, idleTimeoutMs))).rows, fence, doing);

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

/** one database, and a second pool on it as another replica would have */
const twoReplicas = async (): Promise<{ pool: pg.Pool; otherPool: pg.Pool; end(): Promise<void> }> => {
  const { pool, url } = await migratedDatabase(server);
  const otherPool = await connectPostgres({ url, poolSize: 4 });
  return {
    pool,
    otherPool,
    end: async () => {
      await otherPool.end();
      await pool.end();
    },
  };
};

describeLeasesContract('postgres', async () => {
  const { pool, otherPool, end } = await twoReplicas();
  return { leases: new PostgresLeases(pool), other: new PostgresLeases(otherPool), cleanup: end };
});

// fencing must not change what the store does while the lease is held
describeAlertStoreContract('postgres, writes fenced by a held lease', async () => {
  const { pool } = await migratedDatabase(server);
  const grant = await new PostgresLeases(pool).tryAcquire('alerter', 'spec', 600_000);
  const store = new PostgresAlertStore(pool, grant && { fence: grant });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await pool.end();
    },
  };
});

const NOW = '2026-05-01T12:00:00.000Z';
const draft = (key: string): AlertDraft => ({
  key,
  kind: 'signup',
  userId: 'ada',
  occurredAt: NOW,
  content: { headline: key, facts: [] },
});
const granted = (grant: LeaseGrant | undefined): LeaseGrant => {
  if (!grant) throw new Error('the lease was not granted');
  return grant;
};

describe('fencing by lease epoch (postgres)', () => {
  it("refuses a stale epoch's outbox and state writes, saying why, and applies none of them", async () => {
    const { pool, otherPool, end } = await twoReplicas();
    try {
      const plain = new PostgresAlertStore(pool);
      await plain.update((w) => w.raise(draft('signup:a'), NOW));
      const leases = new PostgresLeases(pool);
      const old = granted(await leases.tryAcquire('alerter', 'old', 600_000));
      const stale = new PostgresAlertStore(pool, { fence: old });
      expect(await stale.beginAttempt('signup:a')).toBe(1);
      // the old holder pauses past its lease; another replica takes over
      await leases.release(old);
      const newer = granted(await new PostgresLeases(otherPool).tryAcquire('alerter', 'new', 600_000));
      const current = new PostgresAlertStore(otherPool, { fence: newer });

      const refusals = await Promise.allSettled([
        stale.beginAttempt('signup:a'),
        stale.markPosted('signup:a', { channel: 'C1', ts: '1.1', at: NOW }),
        stale.retryLater('signup:a', 'HTTP 500', NOW),
        stale.markFailed('signup:a', 'x', NOW),
        stale.update((w) => w.raise(draft('signup:b'), NOW)),
      ]);
      for (const refusal of refusals) {
        expect(refusal.status).toBe('rejected');
        const reason = refusal.status === 'rejected' ? refusal.reason : undefined;
        expect(isLeaseLostError(reason), String(reason)).toBe(true);
        expect(String(reason)).toContain('holds the alerter lease at epoch 1, but epoch 2 has been granted since');
      }
      expect(await plain.get('signup:a')).toMatchObject({ status: 'pending', attempts: 1 });
      expect(await plain.get('signup:b')).toBeUndefined();
      // reads are not fenced, and the new holder's writes go through
      expect((await stale.get('signup:a'))?.attempts).toBe(1);
      expect(await current.beginAttempt('signup:a')).toBe(2);
      await current.markPosted('signup:a', { channel: 'C1', ts: '1.1', at: NOW });
      expect(await plain.get('signup:a')).toMatchObject({ status: 'posted', ts: '1.1' });
      await Promise.all([plain.close(), stale.close(), current.close()]);
    } finally {
      await end();
    }
  });

  it('tells a missing row from a lost lease: a held lease writes to no row without a refusal', async () => {
    const { pool, end } = await twoReplicas();
    try {
      const grant = granted(await new PostgresLeases(pool).tryAcquire('alerter', 'spec', 600_000));
      const store = new PostgresAlertStore(pool, { fence: grant });
      expect(await store.beginAttempt('signup:nowhere')).toBe(0);
      await store.markPosted('signup:nowhere', { channel: 'C1', ts: '1.1', at: NOW });
      await store.retryLater('signup:nowhere', 'HTTP 500', NOW);
      await store.close();
    } finally {
      await end();
    }
  });

  it('refuses a fenced write for a role that has no lease at all', async () => {
    const { pool, end } = await twoReplicas();
    try {
      await new PostgresAlertStore(pool).update((w) => w.raise(draft('signup:a'), NOW));
      const store = new PostgresAlertStore(pool, { fence: { role: 'alerter', epoch: 1, holder: 'nobody' } });
      await expect(store.update((w) => w.raise(draft('signup:b'), NOW))).rejects.toThrow(
        'but the lease could not be confirmed',
      );
      await expect(store.beginAttempt('signup:a')).rejects.toThrow('but the lease could not be confirmed');
      expect((await store.get('signup:a'))?.attempts).toBe(0);
      await store.close();
    } finally {
      await end();
    }
  });

  it('a takeover waits for a fenced transaction in flight, which commits first; later ones are refused', async () => {
    const { pool, otherPool, end } = await twoReplicas();
    const client = await pool.connect();
    try {
      const old = granted(await new PostgresLeases(pool).tryAcquire('alerter', 'old', 50));
      await client.query('BEGIN');
      await checkFence(client, old, 'a write in flight');
      await new Promise((resolve) => setTimeout(resolve, 100)); // the old lease has run out meanwhile
      let tookOver = false;
      const takeover = new PostgresLeases(otherPool).tryAcquire('alerter', 'new', 600_000).then((grant) => {
        tookOver = true;
        return grant;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(tookOver, 'the takeover waited for the fenced transaction').toBe(false);
      await client.query('COMMIT');
      expect(await takeover).toMatchObject({ epoch: 2, holder: 'new' });
      await client.query('BEGIN');
      await expect(checkFence(client, old, 'a later write')).rejects.toThrow('a later write was refused');
      await client.query('ROLLBACK');
    } finally {
      client.release();
      await end();
    }
  });
});

describe('a holder paused inside a fenced transaction (postgres)', () => {
  it('holds off a takeover only until the server ends its idle session', async () => {
    const { pool, otherPool, end } = await twoReplicas();
    const client = await pool.connect();
    client.on('error', () => undefined); // the server ends this session: that is the point
    try {
      const old = granted(await new PostgresLeases(pool).tryAcquire('alerter', 'old', 50));
      await client.query('BEGIN');
      await checkFence(client, old, 'a write in flight', 300);
      // paused here, never committing: the takeover waits for the idle limit, then goes through
      const taken = await new PostgresLeases(otherPool).tryAcquire('alerter', 'new', 600_000);
      expect(taken).toMatchObject({ epoch: 2, holder: 'new' });
      await expect(client.query('COMMIT')).rejects.toThrow();
    } finally {
      client.release(true);
      await end();
    }
  });
});

describe('renewals beside fenced writes (postgres)', () => {
  it("a renewal does not wait for the holder's own fenced transactions in flight", async () => {
    const { pool, otherPool, end } = await twoReplicas();
    const client = await pool.connect();
    try {
      const leases = new PostgresLeases(otherPool);
      const grant = granted(await leases.tryAcquire('alerter', 'a', 600_000));
      await client.query('BEGIN');
      await checkFence(client, grant, 'a write in flight');
      const renewed = await Promise.race([
        leases.renew(grant, 600_000),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3_000)),
      ]);
      expect(renewed).toBe(true);
      await client.query('COMMIT');
    } finally {
      client.release();
      await end();
    }
  });
});
