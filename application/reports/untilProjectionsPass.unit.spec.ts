import { describe, expect, it } from 'vitest';
import { isUnavailableError } from '../../domain/errors/journeyError.ts';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import type { FollowedProjection } from '../ops/projectionLag.ts';
import type { Position } from '../ports/eventStore/eventStore.ts';
import { type ProjectionBehind, untilProjectionsPass } from './untilProjectionsPass.ts';

const event = (n: number) => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'UserSignedUp',
  data: {},
  metadata: { occurredAt: '2026-05-01T00:00:00.000Z' },
});

const storeWith = async (count: number) => {
  const store = new MemoryEventStore();
  for (let n = 1; n <= count; n++) await store.append(`${JOURNEY_STREAM_PREFIX}u${n}`, [event(n)]);
  return store;
};

/** a projection whose checkpoint the test moves */
const projection = (name: string): FollowedProjection & { at: Position | null } => {
  const p = {
    name,
    streamPrefix: JOURNEY_STREAM_PREFIX,
    at: null as Position | null,
    readCheckpoint: async () => p.at,
  };
  return p;
};

describe('untilProjectionsPass: a report waits for the projections it reads', () => {
  it('goes on at once when every projection has applied the last stored event', async () => {
    const store = await storeWith(3);
    const users = projection('users');
    users.at = await store.headPosition({ streamPrefix: JOURNEY_STREAM_PREFIX });
    const checks: (readonly ProjectionBehind[])[] = [];
    await untilProjectionsPass(store, [users], 'the report for 2026-05-01', { onCheck: (b) => checks.push(b) });
    expect(checks).toEqual([[]]);
  });

  it('waits, saying who is behind and by how much, until what was stored before it began is applied', async () => {
    const store = await storeWith(5);
    const users = projection('users');
    const head = await store.headPosition({ streamPrefix: JOURNEY_STREAM_PREFIX });
    const checks: (readonly ProjectionBehind[])[] = [];
    const logged: string[] = [];
    let sleeps = 0;
    await untilProjectionsPass(store, [users], 'the report for 2026-05-01', {
      onCheck: (b) => checks.push(b),
      logger: { info: (_o, m) => logged.push(m), warn: (_o, m) => logged.push(m), error: () => {} },
      sleep: async () => {
        sleeps++;
        // the projector catches up; events stored after the wait began are not waited for
        if (sleeps === 2) {
          users.at = head;
          await store.append(`${JOURNEY_STREAM_PREFIX}late`, [event(99)]);
        }
      },
    });
    expect(checks.map((c) => c.map((b) => `${b.projection}:${b.events}`))).toEqual([['users:5'], ['users:5'], []]);
    expect(logged[0]).toBe(
      'the report for 2026-05-01 waits for the projections users (5 events behind) to apply what was stored before it started',
    );
    expect(logged.at(-1)).toBe('the report for 2026-05-01: the projections have caught up');
  });

  it('gives up after its limit, naming the projection and recording nothing', async () => {
    const store = await storeWith(2);
    let clock = 0;
    const waiting = untilProjectionsPass(store, [projection('sessions')], 'the report for 2026-05-01', {
      maxWaitMs: 60_000,
      now: () => clock,
      sleep: async () => {
        clock += 20_000;
      },
    });
    const error = await waiting.catch((e: unknown) => e);
    expect(isUnavailableError(error)).toBe(true);
    expect(String(error)).toContain(
      'the report for 2026-05-01: the projections sessions (2 events behind) have not caught up after 60 s, so nothing was recorded',
    );
  });
});
