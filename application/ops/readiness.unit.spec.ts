import { describe, expect, it } from 'vitest';
import type { Position, RecordedEvent } from '../ports/eventStore/eventStore.ts';
import { checkReadiness } from './readiness.ts';

const pos = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const event = (n: number): RecordedEvent => ({
  id: `e${n}`,
  type: 'UserSignedUp',
  data: {},
  metadata: {},
  streamId: 'journey-ada',
  revision: BigInt(n),
  position: pos(n),
  recordedAt: new Date(Date.parse('2026-03-10T00:00:00.000Z') + n * 1000).toISOString(),
});

/** a store of events 1..head, read as the port says: after `fromPosition`, at most `maxCount` */
const storeWith = (head: number) => ({
  headPosition: async () => (head === 0 ? null : pos(head)),
  readAll: async (options: { fromPosition?: Position; maxCount?: number } = {}) => {
    const after = Number(options.fromPosition?.commit ?? 0n);
    return Array.from({ length: Math.max(0, head - after) }, (_, i) => event(after + i + 1)).slice(
      0,
      options.maxCount ?? Number.POSITIVE_INFINITY,
    );
  },
});

const base = { maxLagEvents: 2, timeoutMs: 200, now: () => Date.parse('2026-03-10T00:01:00.000Z') };
const projection = (checkpoint: number | null) => ({
  name: 'users',
  streamPrefix: 'journey-',
  readCheckpoint: async () => (checkpoint === null ? null : pos(checkpoint)),
});

describe('checkReadiness', () => {
  it('is ready when the stores answer and the projection is within the bound', async () => {
    const readiness = await checkReadiness({
      ...base,
      rawLog: { pending: async () => 4 },
      eventStore: storeWith(10),
      projections: [projection(8)],
    });
    expect(readiness).toEqual({
      ready: true,
      checks: [
        { name: 'rawLog', ok: true, detail: 'reachable, 4 events waiting for the mapper' },
        { name: 'eventStore', ok: true, detail: 'reachable, head at 10' },
        { name: 'projection:users', ok: true, detail: '2 events behind (bound 2)' },
      ],
    });
  });

  it('is not ready when a projection is past the bound, saying how far and how old', async () => {
    const readiness = await checkReadiness({ ...base, eventStore: storeWith(10), projections: [projection(null)] });
    expect(readiness.ready).toBe(false);
    expect(readiness.checks[1]).toEqual({
      name: 'projection:users',
      ok: false,
      detail:
        'projection users is more than 2 events behind the event store (oldest unapplied recorded 59.0 s ago); wait for it to catch up, or check that the projector runs',
    });
  });

  it('fails a check that throws or hangs, with the reason, without waiting for it', async () => {
    const readiness = await checkReadiness({
      ...base,
      rawLog: { pending: () => new Promise<number>(() => {}) },
      eventStore: {
        ...storeWith(1),
        headPosition: async () => {
          throw new Error('SQLITE_CANTOPEN: unable to open database file');
        },
      },
    });
    expect(readiness).toEqual({
      ready: false,
      checks: [
        { name: 'rawLog', ok: false, detail: 'rawLog did not answer within 200 ms' },
        { name: 'eventStore', ok: false, detail: 'SQLITE_CANTOPEN: unable to open database file' },
      ],
    });
  });
});
