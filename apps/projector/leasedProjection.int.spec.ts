import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../application/ports/clock.ts';
import { type EventStore, positionToString } from '../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant, Leases } from '../../application/ports/lease/lease.ts';
import { pos } from '../../application/ports/readModels/readModels.fixtures.ts';
import type { ReadModelWriter } from '../../application/ports/readModels/readModels.ts';
import { isLeaseLostError, type LeaseLostError } from '../../domain/errors/leaseLostError.ts';
import { PostgresAutomationStore } from '../../infrastructure/postgres/automationStore/postgresAutomationStore.ts';
import { connectPostgres } from '../../infrastructure/postgres/connectPostgres.ts';
import { PostgresLeases } from '../../infrastructure/postgres/lease/postgresLeases.ts';
import { PostgresReadModels } from '../../infrastructure/postgres/readModels/postgresReadModels.ts';
import { PostgresSessionStore } from '../../infrastructure/postgres/sessionStore/postgresSessionStore.ts';
import type { CheckpointedStore } from '../../projections/projection.ts';
import { timelineProjection } from '../../projections/timeline/timelineProjection.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { migratedDatabase } from '../../testing/postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../../testing/postgres/postgresServer.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { type FencedStore, LeasedProjection, projectionRole, projectionRun } from './leasedProjection.ts';

const TTL_MS = 1_000;
const ROLE = projectionRole('timeline');

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

/** an injected pause: while closed, whatever waits on it stands still, as in a stopped process */
const pauseGate = () => {
  let open: Promise<void> = Promise.resolve();
  let resume = () => {};
  let waiting = 0;
  return {
    get waiting() {
      return waiting;
    },
    pause() {
      open = new Promise((resolve) => {
        resume = resolve;
      });
    },
    resume: () => resume(),
    async pass(): Promise<void> {
      waiting++;
      await open;
      waiting--;
    },
  };
};
type PauseGate = ReturnType<typeof pauseGate>;

/** leases whose renewals wait at the gate: a paused replica renews nothing */
const pausable = (leases: Leases, gate: PauseGate): Leases => ({
  tryAcquire: async (role, holder, ttlMs) => {
    await gate.pass();
    return leases.tryAcquire(role, holder, ttlMs);
  },
  renew: async (grant, ttlMs) => {
    await gate.pass();
    return leases.renew(grant, ttlMs);
  },
  release: (grant) => leases.release(grant),
  current: (role) => leases.current(role),
  close: () => leases.close(),
});

/** the timeline in PostgreSQL fenced by the grant; each batch waits at the gate before its transaction, and its outcome is kept */
const fencedTimeline =
  (pool: pg.Pool, gate: PauseGate, outcomes: unknown[]) =>
  (grant: LeaseGrant): FencedStore<ReadModelWriter> => {
    const opened = PostgresReadModels.open(pool, { fence: grant });
    const store: CheckpointedStore<ReadModelWriter> = {
      readCheckpoint: async (projection) => (await opened).readCheckpoint(projection),
      applyBatch: async (projection, checkpoint, apply) => {
        await gate.pass();
        try {
          const result = await (await opened).applyBatch(projection, checkpoint, apply);
          outcomes.push(result.kind);
          return result;
        } catch (error) {
          outcomes.push(error);
          throw error;
        }
      },
    };
    return { store, close: async () => (await opened).close() };
  };

const appendPageViews = async (store: EventStore, from: number, count: number): Promise<void> => {
  for (let i = from; i < from + count; i++)
    await store.append(`journey-u${i % 3}`, [
      {
        id: `ev-${i}`,
        type: 'PageViewed',
        data: { path: `/p${i}` },
        metadata: {
          occurredAt: new Date(Date.UTC(2026, 4, 1, 12, 0, i)).toISOString(),
          sourceMessageIds: [`m-${i}`],
          ruleId: 'spec',
        },
      },
    ]);
};

describe('a projection under its lease (PostgreSQL)', () => {
  it("refuses the batch of a paused old holder that resumes after a standby took over; the standby's work stands", async () => {
    const { pool, url } = await migratedDatabase(server);
    const otherPool = await connectPostgres({ url, poolSize: 4 });
    const events = new MemoryEventStore({ pollIntervalMs: 20 });
    const replica = (name: string, db: pg.Pool, gate: PauseGate, outcomes: unknown[]) =>
      new LeasedProjection(
        {
          name: 'timeline',
          streamPrefix: timelineProjection.streamPrefix,
          leases: pausable(new PostgresLeases(db), gate),
          clock: systemClock,
          holder: name,
          ttlMs: TTL_MS,
        },
        projectionRun(events, fencedTimeline(db, gate, outcomes), timelineProjection),
      );
    const oldGate = pauseGate();
    const oldOutcomes: unknown[] = [];
    const newOutcomes: unknown[] = [];
    const old = replica('old', pool, oldGate, oldOutcomes);
    const standby = replica('standby', otherPool, pauseGate(), newOutcomes);
    const leases = new PostgresLeases(pool);
    try {
      await appendPageViews(events, 0, 20);
      old.start();
      await old.waitFor(pos(20));
      standby.start();
      await waitUntil('the standby to ask at least once', async () => (await leases.current(ROLE))?.holder === 'old');
      expect(newOutcomes, 'the standby writes nothing while the old holder renews').toEqual([]);

      // the old holder stops between reading a batch and writing it: no renewal, no write
      oldGate.pause();
      await appendPageViews(events, 20, 20);
      await waitUntil('the old holder to stand still before its write', () => oldGate.waiting >= 1);
      await standby.waitFor(pos(40));
      expect(await leases.current(ROLE)).toMatchObject({ epoch: 2, holder: 'standby' });

      // it resumes and sends the batch it had read: the fence refuses it
      oldGate.resume();
      await waitUntil('the old holder to try its write', () => oldOutcomes.some((o) => typeof o !== 'string'));
      const refused = oldOutcomes.find((o) => typeof o !== 'string');
      expect(isLeaseLostError(refused)).toBe(true);
      expect(refused as LeaseLostError).toMatchObject({ role: ROLE, epoch: 1, current: 2 });
      expect((refused as Error).message).toMatch(
        /was refused: this worker holds the projection:timeline lease at epoch 1/,
      );

      const { rows } = await pool.query<{ rows: number; events: number }>(
        'SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS events FROM journey.timeline',
      );
      expect(rows[0]).toEqual({ rows: 40, events: 40 });
      const checkpoint = await (await PostgresReadModels.open(pool)).readCheckpoint('timeline');
      expect(checkpoint && positionToString(checkpoint)).toBe(positionToString(pos(40)));
      expect(newOutcomes.every((o) => o === 'stored')).toBe(true);
    } finally {
      oldGate.resume();
      await Promise.all([old.stop(), standby.stop()]);
      await events.close();
      await otherPool.end();
      await pool.end();
    }
  }, 30_000);

  it('fences the checkpoint writes of every projection store and the automator outbox by the epoch', async () => {
    const { pool } = await migratedDatabase(server);
    try {
      const leases = new PostgresLeases(pool);
      const takeOver = async (role: string): Promise<LeaseGrant> => {
        const old = await leases.tryAcquire(role, 'old', 60_000);
        if (!old) throw new Error(`${role} was not granted`);
        await leases.release(old);
        await leases.tryAcquire(role, 'new', 60_000);
        return old;
      };
      const batch = { from: null, to: pos(1) };
      const readModels = await PostgresReadModels.open(pool, { fence: await takeOver('projection:users') });
      await expect(readModels.applyBatch('users', batch, () => undefined)).rejects.toSatisfy(isLeaseLostError);
      expect(await readModels.readCheckpoint('users')).toBeNull();
      const sessions = new PostgresSessionStore(pool, { fence: await takeOver('projection:sessions') });
      await expect(sessions.applyBatch('sessions', batch, () => undefined)).rejects.toSatisfy(isLeaseLostError);
      expect(await sessions.readCheckpoint('sessions')).toBeNull();
      const automations = new PostgresAutomationStore(pool, { fence: await takeOver('projection:automations') });
      await expect(automations.applyBatch('automations', batch, () => undefined)).rejects.toSatisfy(isLeaseLostError);
      expect(await automations.readCheckpoint('automations')).toBeNull();
      const automator = new PostgresAutomationStore(pool, { fence: await takeOver('automator') });
      await expect(automator.update(() => undefined)).rejects.toSatisfy(isLeaseLostError);
      await expect(automator.markDelivered('a:1', new Date().toISOString())).rejects.toSatisfy(isLeaseLostError);
      await Promise.all([readModels.close(), sessions.close(), automations.close(), automator.close()]);
    } finally {
      await pool.end();
    }
  });
});
