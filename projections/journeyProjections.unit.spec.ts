import { describe, expect, it } from 'vitest';
import { applying, given } from '../testing/projections/projectionSpec.ts';
import { recorded } from '../testing/projections/recordedEvent.ts';
import { timelineProjection } from './timeline/timelineProjection.ts';
import { DEFAULT_MEANINGFUL_EVENTS, usersProjection } from './users/usersProjection.ts';

const users = () => applying(usersProjection(new Set(DEFAULT_MEANINGFUL_EVENTS)));

describe('the users projection', () => {
  it('builds the profile from identify and sign-up, whatever order they arrive in', async () => {
    await given(
      recorded('u1', 'UserSignedUp', '2026-03-01T10:00:01.000Z', { email: 'new@example.com' }),
      recorded('u1', 'UserIdentified', '2026-03-01T10:00:00.000Z', { email: 'old@example.com', name: 'Ada' }),
      recorded('u1', 'ProjectCreated', '2026-03-02T09:00:00.000Z'),
      recorded('u1', 'PageViewed', '2026-02-28T09:00:00.000Z'),
    )
      .when(users())
      .then(async (readModels) =>
        expect(await readModels.getProfile('u1')).toEqual({
          userId: 'u1',
          email: 'old@example.com',
          name: 'Ada',
          signedUpAt: '2026-03-01T10:00:01.000Z',
          firstSeenAt: '2026-02-28T09:00:00.000Z',
          lastSeenAt: '2026-03-02T09:00:00.000Z',
          lastActivityAt: '2026-03-02T09:00:00.000Z',
          eventCount: 4,
          lastEventType: 'ProjectCreated',
        }),
      );
  });

  it('keeps the first sign-up time when a user signs up twice', async () => {
    await given(
      recorded('u1', 'UserSignedUp', '2026-03-05T00:00:00.000Z'),
      recorded('u1', 'UserSignedUp', '2026-03-01T00:00:00.000Z'),
    )
      .when(users())
      .then(async (readModels) =>
        expect((await readModels.getProfile('u1'))?.signedUpAt).toBe('2026-03-01T00:00:00.000Z'),
      );
  });

  it('counts only meaningful activity, by UTC day, towards the stage', async () => {
    await given(
      recorded('u1', 'UserSignedUp', '2026-03-01T00:00:00.000Z'),
      recorded('u1', 'PageViewed', '2026-03-02T00:00:00.000Z'),
      recorded('u1', 'UserAuthenticated', '2026-03-03T00:00:00.000Z'),
      recorded('u1', 'ProjectCreated', '2026-03-04T08:00:00.000Z'),
      recorded('u1', 'DeploymentCompleted', '2026-03-04T09:00:00.000Z'),
    )
      .when(users())
      .then(async (readModels) =>
        expect(await readModels.stageSummaries('2026-03-10T00:00:00.000Z')).toEqual([
          {
            userId: 'u1',
            signedUpAt: '2026-03-01T00:00:00.000Z',
            activeDays: 1,
            lastActivityAt: '2026-03-04T09:00:00.000Z',
          },
        ]),
      );
  });

  it('moves the funnel through the stage-change projection, sign-up before activity or after', async () => {
    await given(
      recorded('u1', 'ProjectCreated', '2026-03-04T08:00:00.000Z'),
      recorded('u1', 'UserSignedUp', '2026-03-01T00:00:00.000Z'),
      recorded('u2', 'UserSignedUp', '2026-03-02T00:00:00.000Z'),
      recorded('u3', 'ProjectCreated', '2026-03-02T00:00:00.000Z'),
    )
      .when(users())
      .then(async (readModels) => {
        expect(await readModels.stageCounts('2026-03-05T00:00:00.000Z', 15)).toEqual({
          signedUp: 1,
          activated: 1,
          active: 0,
          inactive: 0,
        });
        expect(await readModels.stageCounts('2026-03-20T00:00:00.000Z', 15)).toEqual({
          signedUp: 1,
          activated: 0,
          active: 0,
          inactive: 1,
        });
      });
  });

  it('ignores event types it does not know and streams that are not journeys', async () => {
    const other = { ...recorded('u1', 'UserSignedUp', '2026-03-01T00:00:00.000Z'), streamId: 'identity-a1' };
    await given(recorded('u1', 'SomethingFromTheFuture', '2026-03-01T00:00:00.000Z'), other)
      .when(users())
      .then(async (readModels) => expect(await readModels.getProfile('u1')).toBeUndefined());
  });
});

describe('the timeline projection', () => {
  it('orders the timeline by event time, not arrival', async () => {
    await given(
      recorded('u1', 'DeploymentStarted', '2026-03-02T00:00:00.000Z'),
      recorded('u1', 'PageViewed', '2026-03-01T00:00:00.000Z'),
    )
      .when(applying(timelineProjection))
      .then(async (readModels) =>
        expect((await readModels.getJourney('u1')).map((e) => e.type)).toEqual(['PageViewed', 'DeploymentStarted']),
      );
  });
});
