import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../application/ports/eventStore/eventStore.ts';
import { MemoryReadModels } from '../testing/memory/memoryReadModels.ts';
import { timelineProjection } from './timeline/timelineProjection.ts';
import { DEFAULT_MEANINGFUL_EVENTS, usersProjection } from './users/usersProjection.ts';

let position = 0n;
const recorded = (
  userId: string,
  type: string,
  occurredAt: string,
  data: Record<string, unknown> = {},
): RecordedEvent => {
  position++;
  return {
    id: `e-${position}`,
    type,
    data,
    metadata: { occurredAt, sourceMessageIds: [`m-${position}`], ruleId: 'test' },
    streamId: `journey-${userId}`,
    revision: 0n,
    position: { commit: position, prepare: position },
    recordedAt: occurredAt,
  };
};

/** given these events were projected, then the read models answer ... */
const given = async (...events: RecordedEvent[]) => {
  const readModels = new MemoryReadModels();
  const last = events[events.length - 1];
  if (last) {
    for (const projection of [timelineProjection, usersProjection(new Set(DEFAULT_MEANINGFUL_EVENTS))]) {
      await readModels.applyBatch(projection.name, { from: null, to: last.position }, (writer) => {
        for (const e of events) projection.apply(e, writer);
      });
    }
  }
  return readModels;
};

describe('the timeline and users projections', () => {
  it('builds the profile from identify and sign-up, whatever order they arrive in', async () => {
    const then = await given(
      recorded('u1', 'UserSignedUp', '2026-03-01T10:00:01.000Z', { email: 'new@example.com' }),
      recorded('u1', 'UserIdentified', '2026-03-01T10:00:00.000Z', { email: 'old@example.com', name: 'Ada' }),
      recorded('u1', 'ProjectCreated', '2026-03-02T09:00:00.000Z'),
      recorded('u1', 'PageViewed', '2026-02-28T09:00:00.000Z'),
    );
    expect(await then.getProfile('u1')).toEqual({
      userId: 'u1',
      email: 'old@example.com',
      name: 'Ada',
      signedUpAt: '2026-03-01T10:00:01.000Z',
      firstSeenAt: '2026-02-28T09:00:00.000Z',
      lastSeenAt: '2026-03-02T09:00:00.000Z',
      lastActivityAt: '2026-03-02T09:00:00.000Z',
      eventCount: 4,
      lastEventType: 'ProjectCreated',
    });
  });

  it('keeps the first sign-up time when a user signs up twice', async () => {
    const then = await given(
      recorded('u1', 'UserSignedUp', '2026-03-05T00:00:00.000Z'),
      recorded('u1', 'UserSignedUp', '2026-03-01T00:00:00.000Z'),
    );
    expect((await then.getProfile('u1'))?.signedUpAt).toBe('2026-03-01T00:00:00.000Z');
  });

  it('orders the timeline by event time, not arrival', async () => {
    const then = await given(
      recorded('u1', 'DeploymentStarted', '2026-03-02T00:00:00.000Z'),
      recorded('u1', 'PageViewed', '2026-03-01T00:00:00.000Z'),
    );
    expect((await then.getJourney('u1')).map((e) => e.type)).toEqual(['PageViewed', 'DeploymentStarted']);
  });

  it('counts only meaningful activity, by UTC day, towards the stage', async () => {
    const then = await given(
      recorded('u1', 'UserSignedUp', '2026-03-01T00:00:00.000Z'),
      recorded('u1', 'PageViewed', '2026-03-02T00:00:00.000Z'),
      recorded('u1', 'UserAuthenticated', '2026-03-03T00:00:00.000Z'),
      recorded('u1', 'ProjectCreated', '2026-03-04T08:00:00.000Z'),
      recorded('u1', 'DeploymentCompleted', '2026-03-04T09:00:00.000Z'),
    );
    expect(await then.stageSummaries('2026-03-10T00:00:00.000Z')).toEqual([
      {
        userId: 'u1',
        signedUpAt: '2026-03-01T00:00:00.000Z',
        activeDays: 1,
        lastActivityAt: '2026-03-04T09:00:00.000Z',
      },
    ]);
  });

  it('ignores event types it does not know and streams that are not journeys', async () => {
    const other = { ...recorded('u1', 'UserSignedUp', '2026-03-01T00:00:00.000Z'), streamId: 'identity-a1' };
    const then = await given(recorded('u1', 'SomethingFromTheFuture', '2026-03-01T00:00:00.000Z'), other);
    expect(await then.getProfile('u1')).toBeUndefined();
  });
});
