import { describe, expect, it } from 'vitest';
import { isUnavailableError } from '../../domain/errors/journeyError.ts';
import type { Projection } from '../../projections/projection.ts';
import { timelineProjection } from '../../projections/timeline/timelineProjection.ts';
import { DEFAULT_MEANINGFUL_EVENTS, usersProjection } from '../../projections/users/usersProjection.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { recorded } from '../../testing/projections/recordedEvent.ts';
import type { RecordedEvent } from '../ports/eventStore/eventStore.ts';
import { JourneyQueries } from './journeyQueries.ts';
import type { Patience } from './untilCaughtUp.ts';

const users = usersProjection(new Set(DEFAULT_MEANINGFUL_EVENTS));
const NOW = Date.parse('2026-03-10T00:00:00.000Z');

const apply = async (store: MemoryReadModels, projection: Projection, events: readonly RecordedEvent[]) => {
  const last = events.at(-1);
  if (!last) return;
  const from = await store.readCheckpoint(projection.name);
  await store.applyBatch(projection.name, { from, to: last.position }, (w) => {
    for (const e of events) projection.apply(e, w);
  });
};

/** the store's log: ada's sign-up and two deployments, then one more event of hers */
const log = () => {
  const first = [
    recorded('ada', 'UserSignedUp', '2026-03-01T09:00:00.000Z', { email: 'ada@example.com' }),
    recorded('ada', 'DeploymentStarted', '2026-03-02T09:00:00.000Z', { deploymentId: 'd1' }),
    recorded('ada', 'DeploymentCompleted', '2026-03-02T09:05:00.000Z', { deploymentId: 'd1' }),
  ];
  return { first, later: [recorded('ada', 'DeploymentStarted', '2026-03-03T09:00:00.000Z', { deploymentId: 'd2' })] };
};

/**
 * No clock: each pause is counted and may run a step that moves a projection on, so a
 * spec says after which pause the timeline caught up, not how long that took.
 */
const patience = (pauses: number, onPause: (n: number) => Promise<void> = async () => undefined) => {
  let paused = 0;
  const p: Patience = {
    pauses,
    retryAfterSeconds: 1,
    pause: async () => {
      paused++;
      await onPause(paused);
    },
  };
  return { patience: p, paused: () => paused };
};

describe('JourneyQueries.journey: one answer, one store position', () => {
  it('waits for a timeline behind the profile and answers once it has caught up', async () => {
    const store = new MemoryReadModels();
    const { first, later } = log();
    await apply(store, users, [...first, ...later]);
    await apply(store, timelineProjection, first);
    const wait = patience(10, async (n) => {
      if (n === 3) await apply(store, timelineProjection, later);
    });
    const answer = await new JourneyQueries(store, 15, { patience: wait.patience }).journey('ada', NOW);
    expect(wait.paused()).toBe(3);
    expect(answer.profile.eventCount).toBe(4);
    expect(answer.events.map((e) => e.id)).toEqual([...first, ...later].map((e) => e.id));
    expect(answer.position).toBe(`${later[0]?.position.commit}/${later[0]?.position.prepare}`);
    expect(answer.stage).toBe('active');
  });

  it('answers at once, without the events the profile has not counted, when the timeline is ahead', async () => {
    const store = new MemoryReadModels();
    const { first, later } = log();
    await apply(store, users, first);
    await apply(store, timelineProjection, [...first, ...later]);
    const wait = patience(10);
    const answer = await new JourneyQueries(store, 15, { patience: wait.patience }).journey('ada', NOW);
    expect(wait.paused()).toBe(0);
    expect(answer.profile.eventCount).toBe(3);
    expect(answer.events.map((e) => e.id)).toEqual(first.map((e) => e.id));
    expect(answer.position).toBe(`${first[2]?.position.commit}/${first[2]?.position.prepare}`);
  });

  it('gives up after its pauses with an UnavailableError saying when to retry, never a mixed answer', async () => {
    const store = new MemoryReadModels();
    const { first, later } = log();
    await apply(store, users, [...first, ...later]);
    await apply(store, timelineProjection, first);
    const wait = patience(5);
    const asked = new JourneyQueries(store, 15, { patience: wait.patience }).journey('ada', NOW);
    const error = await asked.catch((e: unknown) => e);
    expect(isUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ retryAfterSeconds: 1, message: expect.stringMatching(/ada.*behind.*retry in 1 s/) });
    expect(wait.paused()).toBe(5);
  });

  it('waits for a timeline that has applied nothing yet', async () => {
    const store = new MemoryReadModels();
    const { first } = log();
    await apply(store, users, first);
    const wait = patience(10, async (n) => {
      if (n === 1) await apply(store, timelineProjection, first.slice(0, 2));
      if (n === 2) await apply(store, timelineProjection, first.slice(2));
    });
    const answer = await new JourneyQueries(store, 15, { patience: wait.patience }).journey('ada', NOW);
    expect(wait.paused()).toBe(2);
    expect(answer.events).toHaveLength(answer.profile.eventCount);
  });

  it('says not found, without waiting, for a user no projection has seen', async () => {
    const store = new MemoryReadModels();
    await apply(store, users, log().first);
    const wait = patience(10);
    await expect(new JourneyQueries(store, 15, { patience: wait.patience }).journey('bob', NOW)).rejects.toThrow(
      /no journey for user bob/,
    );
    expect(wait.paused()).toBe(0);
  });
});
