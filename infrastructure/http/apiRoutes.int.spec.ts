import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ReadModelQueries,
  StageSummary,
  TimelineEntry,
  UserProfile,
} from '../../application/ports/readModels/readModels.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import { summarizeActivity } from '../../domain/stage/summarizeActivity.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

const TOKEN = 'jt_test_token_0123456789';
const WINDOW_DAYS = 7;
/** T for every test: the clock's now. T − W = 2026-03-03T12:00Z, T − 24h = 2026-03-09T12:00Z. */
const NOW = '2026-03-10T12:00:00.000Z';

type User = { profile: UserProfile; activity: string[]; timeline: Omit<TimelineEntry, 'userId'>[] };

const profile = (userId: string, p: Partial<UserProfile>): UserProfile => ({
  userId,
  firstSeenAt: p.signedUpAt ?? '2026-03-01T00:00:00.000Z',
  lastSeenAt: p.lastActivityAt ?? p.signedUpAt ?? '2026-03-01T00:00:00.000Z',
  eventCount: 1,
  lastEventType: 'UserSignedUp',
  ...p,
});

/**
 * The hand-made dataset. As of T = NOW, with W = 7 days:
 * - alice signed up 03-01, active on 03-02 and 03-09: two days, latest after T − W → active
 * - bob signed up 03-05, active on 03-06 only: one day, after T − W → activated
 * - carol signed up 02-01, active on 02-02 only: latest before T − W → inactive
 * - dave signed up 03-10 08:00, no activity → signedUp; the only sign-up in (T − 24h, T]
 * - erin signs up 03-11, after T → not in the funnel at all
 * - visitor was seen but never signed up → has a journey, no stage
 * So the funnel at T is 1 of each stage and newSignups = 1.
 */
const users: User[] = [
  {
    profile: profile('alice', {
      email: 'alice@example.com',
      name: 'Alice',
      signedUpAt: '2026-03-01T09:00:00.000Z',
      lastActivityAt: '2026-03-09T15:00:00.000Z',
    }),
    activity: ['2026-03-02T10:00:00.000Z', '2026-03-09T15:00:00.000Z'],
    timeline: [
      {
        eventId: 'e1',
        type: 'UserSignedUp',
        occurredAt: '2026-03-01T09:00:00.000Z',
        data: { email: 'alice@example.com' },
        ruleId: 'signup',
        sourceMessageIds: ['m1'],
      },
      {
        eventId: 'e2',
        type: 'DeploymentStarted',
        occurredAt: '2026-03-02T10:00:00.000Z',
        data: { deploymentId: 'd1' },
        ruleId: 'deploy',
        sourceMessageIds: ['m2'],
      },
    ],
  },
  {
    profile: profile('bob', { signedUpAt: '2026-03-05T10:00:00.000Z', lastActivityAt: '2026-03-06T08:00:00.000Z' }),
    activity: ['2026-03-06T08:00:00.000Z'],
    timeline: [],
  },
  {
    profile: profile('carol', { signedUpAt: '2026-02-01T10:00:00.000Z', lastActivityAt: '2026-02-02T10:00:00.000Z' }),
    activity: ['2026-02-02T10:00:00.000Z'],
    timeline: [],
  },
  { profile: profile('dave', { signedUpAt: '2026-03-10T08:00:00.000Z' }), activity: [], timeline: [] },
  { profile: profile('erin', { signedUpAt: '2026-03-11T08:00:00.000Z' }), activity: [], timeline: [] },
  { profile: profile('visitor', { lastEventType: 'PageViewed' }), activity: [], timeline: [] },
];

/** Read models answering from the dataset above, the way the real adapters must. */
class DatasetReadModels implements ReadModelQueries {
  unavailable = false;
  /** the timeline projection one event behind the users projection, for good */
  timelineBehind = false;
  private find(userId: string) {
    if (this.unavailable) throw new UnavailableError('read models: database is locked');
    return users.find((u) => u.profile.userId === userId);
  }
  async getJourney(userId: string) {
    return (this.find(userId)?.timeline ?? []).map((t) => ({ userId, ...t }));
  }
  async getProfile(userId: string) {
    return this.find(userId)?.profile;
  }
  async getProfiles(userIds: readonly string[]) {
    return users.filter((u) => userIds.includes(u.profile.userId)).map((u) => u.profile);
  }
  async stageSummaries(asOf: string): Promise<StageSummary[]> {
    return users.flatMap(({ profile: p, activity }) => {
      if (p.signedUpAt === undefined || p.signedUpAt > asOf) return [];
      const summary = summarizeActivity(activity.map(Date.parse), Date.parse(asOf));
      const last = summary.lastActivityAt === null ? null : new Date(summary.lastActivityAt).toISOString();
      return [{ userId: p.userId, signedUpAt: p.signedUpAt, activeDays: summary.activeDays, lastActivityAt: last }];
    });
  }
  async stageSummary(userId: string, asOf: string) {
    return (await this.stageSummaries(asOf)).find((s) => s.userId === userId);
  }
  /** as a store keeping its stage deltas for another window: the funnel counts the summaries above */
  async stageCounts() {
    return undefined;
  }
  async countSignups(after: string, until: string) {
    return users.filter(({ profile: p }) => p.signedUpAt !== undefined && p.signedUpAt > after && p.signedUpAt <= until)
      .length;
  }
  async searchUsers(prefix: string, limit: number) {
    return users
      .map((u) => u.profile)
      .filter((p) => p.userId.startsWith(prefix) || p.email?.toLowerCase().startsWith(prefix.toLowerCase()))
      .slice(0, limit);
  }
  async signupsByDay(from: string, to: string) {
    const days = users
      .flatMap(({ profile: p }) => p.signedUpAt?.slice(0, 10) ?? [])
      .filter((d) => d >= from && d <= to);
    return [...new Set(days)].sort().map((date) => ({ date, count: days.filter((d) => d === date).length }));
  }
  // the daily report's queries; no API route asks for them
  // biome-ignore lint/correctness/useYield: never iterated, it only refuses
  async *activityHistories(): AsyncIterable<never> {
    throw new Error('not used by the API');
  }
  async latestEventsOf(): Promise<never> {
    throw new Error('not used by the API');
  }
  /** the dataset is the read models after the store's third event, for both projections */
  async profileSnapshot(userId: string, asOf: string) {
    return {
      position: AT_THIRD_EVENT,
      profile: await this.getProfile(userId),
      summary: await this.stageSummary(userId, asOf),
    };
  }
  async journeySnapshot(userId: string) {
    const position = this.timelineBehind ? { commit: 2n, prepare: 2n } : AT_THIRD_EVENT;
    return { position, entries: await this.getJourney(userId) };
  }
}

const AT_THIRD_EVENT = { commit: 3n, prepare: 3n };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const start = async () => {
  const readModels = new DatasetReadModels();
  app = createHttpServer({ logger: false });
  registerApiRoutes(app, {
    queries: new JourneyQueries(readModels, WINDOW_DAYS, {
      patience: { pauses: 2, pause: async () => undefined, retryAfterSeconds: 1 },
    }),
    apiToken: TOKEN,
    clock: { now: () => Date.parse(NOW) },
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const get = async (path: string, authorization: string | null = `Bearer ${TOKEN}`) => {
    const response = await fetch(`${base}${path}`, authorization === null ? {} : { headers: { authorization } });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return { readModels, get };
};

describe('API routes', () => {
  it('answers /healthz without a token', async () => {
    const { get } = await start();
    expect(await get('/healthz', null)).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'Bearer jt_wrong'],
    ['the token with another scheme', `Basic ${TOKEN}`],
  ])('answers 401 under /api for %s, saying how to send the token', async (_name, authorization) => {
    const { get } = await start();
    const res = await get('/api/funnel', authorization);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body).toEqual({
      error: 'unauthorized',
      message: 'send the API token in the Authorization header: Authorization: Bearer <token>',
    });
  });

  it("serves a user's journey with their stage as of now", async () => {
    const { get } = await start();
    const res = await get('/api/users/alice/journey');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: 'alice',
      position: '3/3',
      stage: 'active',
      profile: users[0]?.profile,
      events: [
        {
          id: 'e1',
          type: 'UserSignedUp',
          occurredAt: '2026-03-01T09:00:00.000Z',
          data: { email: 'alice@example.com' },
        },
        { id: 'e2', type: 'DeploymentStarted', occurredAt: '2026-03-02T10:00:00.000Z', data: { deploymentId: 'd1' } },
      ],
    });
  });

  it('gives a user who never signed up a journey without a stage', async () => {
    const { get } = await start();
    expect((await get('/api/users/visitor/journey')).body).toMatchObject({ userId: 'visitor', stage: null });
  });

  it('answers 404 JSON for an unknown user', async () => {
    const { get } = await start();
    const res = await get('/api/users/nobody/journey');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found', message: expect.stringContaining('nobody') });
  });

  it('serves the funnel as of now by default, and as of asOf when given', async () => {
    const { get } = await start();
    const expected = {
      asOf: NOW,
      windowDays: 7,
      newSignups: 1,
      stages: { signedUp: 1, activated: 1, active: 1, inactive: 1 },
    };
    expect(await get('/api/funnel')).toMatchObject({ status: 200, body: expected });
    expect((await get(`/api/funnel?asOf=${encodeURIComponent('2026-03-10T13:00:00+01:00')}`)).body).toEqual(expected);
  });

  it('serves the daily funnel, each day as of its last millisecond', async () => {
    const { get } = await start();
    const res = await get('/api/funnel/daily?from=2026-03-05&to=2026-03-06');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: '2026-03-05',
      to: '2026-03-06',
      days: [
        // T = 03-05 23:59:59.999: alice has only 03-02 → activated; bob signed up but not yet active;
        // carol inactive; dave and erin not signed up yet. bob is the day's only sign-up.
        {
          date: '2026-03-05',
          asOf: '2026-03-05T23:59:59.999Z',
          windowDays: 7,
          newSignups: 1,
          stages: { signedUp: 1, activated: 1, active: 0, inactive: 1 },
        },
        // T = 03-06 23:59:59.999: bob's first activity (03-06) → activated; nobody signed up that day
        {
          date: '2026-03-06',
          asOf: '2026-03-06T23:59:59.999Z',
          windowDays: 7,
          newSignups: 0,
          stages: { signedUp: 0, activated: 2, active: 0, inactive: 1 },
        },
      ],
    });
  });

  it('lists the users in a stage', async () => {
    const { get } = await start();
    const res = await get('/api/stages/active/users');
    expect(res.body).toEqual({
      asOf: NOW,
      stage: 'active',
      users: [
        {
          userId: 'alice',
          email: 'alice@example.com',
          name: 'Alice',
          signedUpAt: '2026-03-01T09:00:00.000Z',
          lastActivityAt: '2026-03-09T15:00:00.000Z',
        },
      ],
    });
    const earlier = await get('/api/stages/signedUp/users?asOf=2026-03-05T23:59:59.999Z');
    expect(earlier.body).toMatchObject({ users: [{ userId: 'bob' }] });
  });

  it('searches users by id or email prefix, at most limit', async () => {
    const { get } = await start();
    const res = await get('/api/users?search=ALI');
    expect(res).toMatchObject({ status: 200, body: { search: 'ALI', users: [users[0]?.profile] } });
    const some = await get('/api/users?search=e&limit=2');
    expect(some.body).toEqual({ search: 'e', users: [users[4]?.profile] });
    expect((await get('/api/users?search=b&limit=1')).body).toMatchObject({ users: [{ userId: 'bob' }] });
  });

  it.each([
    ['/api/users', 'search', /^query parameter search is required/],
    ['/api/users?search=a&limit=101', 'limit', /^query parameter limit/],
    ['/api/funnel?asOf=yesterday', 'asOf', /^query parameter asOf must be an ISO-8601 date-time/],
    ['/api/funnel/daily?from=2026-03-05', 'to', /^query parameter to is required/],
    ['/api/funnel/daily?from=2026-03-05&to=2026-3-6', 'to', /^query parameter to must be a day written YYYY-MM-DD/],
    ['/api/funnel/daily?from=2026-03-06&to=2026-03-05', 'from', /^from=2026-03-06 is after to=2026-03-05/],
    ['/api/stages/champion/users', 'stage', /^path parameter stage must be one of signedUp, activated/],
    ['/api/stages/active/users?asOf=2026-13-01T00:00:00Z', 'asOf', /^query parameter asOf/],
  ])('answers 400 for %s, naming %s', async (path, field, message) => {
    const { get } = await start();
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', message: expect.stringMatching(message) });
    expect(res.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
  });

  it('answers 503 with Retry-After when the read models are unavailable', async () => {
    const { get, readModels } = await start();
    readModels.unavailable = true;
    const res = await get('/api/users/alice/journey');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body).toEqual({ error: 'unavailable', message: 'storage is unavailable right now; retry in 5 seconds' });
  });

  it('answers 503 with Retry-After and what happened when the timeline stays behind the profile', async () => {
    const { get, readModels } = await start();
    readModels.timelineBehind = true;
    const res = await get('/api/users/alice/journey');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toEqual({
      error: 'unavailable',
      message:
        "the journey of alice is not ready: its timeline is still behind the profile's store position 3/3 (the projector is catching up); retry in 1 s",
    });
  });

  it('answers 404 JSON for a route that does not exist', async () => {
    const { get } = await start();
    const res = await get('/nowhere');
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
