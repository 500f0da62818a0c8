import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { positionToString } from '../../../application/ports/eventStore/eventStore.ts';
import type { ReadModelStore } from '../../../application/ports/readModels/readModels.ts';
import { JourneyQueries } from '../../../application/queries/journeyQueries.ts';
import { JOURNEY_STREAM_PREFIX } from '../../../domain/journey/journeyEvent.ts';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { registerApiRoutes } from '../../../infrastructure/http/apiRoutes.ts';
import { createHttpServer } from '../../../infrastructure/http/createHttpServer.ts';
import { SqliteEventStore } from '../../../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import type { Projection } from '../../../projections/projection.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { sleep } from '../../../testing/sleep.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import { journeyProjection } from '../../projector/journeyProjections.ts';
import { type ReadModels, type ReadSide, readSideFor } from '../readSideFor.ts';
import { splitReadModelQueries } from '../splitReadModelQueries.ts';

const TOKEN = 'consistency-test-token-0123456789';
const USERS = ['ada', 'bob', 'cy', 'dee'];
const TYPES = ['UserSignedUp', 'ProjectCreated', 'DeploymentStarted', 'DeploymentCompleted', 'PageViewed'] as const;
/** events per batch of each projection: a user's events are spread over several */
const BATCH = 3;

type JourneyAnswer = {
  position: string;
  profile: { eventCount: number };
  events: { id: string }[];
};
type Answer = { status: number; retryAfter: string | null; body: JourneyAnswer };

/**
 * A journey answer through real HTTP while the timeline and users projections are held
 * apart, through the adapters Journey runs on: the answer waits, refuses with a 503, or is
 * cut at the users projection's position, and never lists other events than it counts.
 */
describe.each([
  { readSide: 'SQLite files', postgres: false },
  { readSide: 'PostgreSQL', postgres: true },
])('a journey answer is consistent while projections are apart, read models in $readSide', ({ postgres }) => {
  let data: TempDataDir;
  let database: PostgresServer | undefined;
  let eventStore: SqliteEventStore;
  let side: ReadSide;
  let writers: { timeline: ReadModels; users: ReadModels };
  let readers: { timeline: ReadModels; users: ReadModels };
  let app: FastifyInstance;
  let base: string;
  let projections: { timeline: Projection; users: Projection };
  /** every event appended, per user */
  const appended = new Map<string, string[]>();

  const appendRound = async (round: number) => {
    for (const userId of USERS) {
      for (const type of TYPES) {
        const id = randomUUID();
        const occurredAt = new Date(Date.UTC(2026, 2, 1 + round, 9, TYPES.indexOf(type))).toISOString();
        const metadata = { occurredAt, sourceMessageIds: [`m-${id}`], ruleId: 'test' };
        await eventStore.append(`${JOURNEY_STREAM_PREFIX}${userId}`, [{ id, type, data: {}, metadata }]);
        appended.set(userId, [...(appended.get(userId) ?? []), id]);
      }
    }
  };

  /** applies one batch of `name` after its checkpoint, as the projection runner does; false at the head */
  const step = async (name: 'timeline' | 'users'): Promise<boolean> => {
    const store: ReadModelStore = writers[name];
    const from = await store.readCheckpoint(name);
    const batch = await eventStore.readAll({
      ...(from ? { fromPosition: from } : {}),
      streamPrefix: JOURNEY_STREAM_PREFIX,
      maxCount: BATCH,
    });
    const last = batch.at(-1);
    if (!last) return false;
    const result = await store.applyBatch(name, { from, to: last.position }, (w) => {
      for (const event of batch) projections[name].apply(event, w);
    });
    expect(result).toEqual({ kind: 'stored' });
    return true;
  };
  const catchUp = async (name: 'timeline' | 'users') => {
    while (await step(name));
  };

  const journeyOf = async (userId: string): Promise<Answer> => {
    const response = await fetch(`${base}/api/users/${userId}/journey`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as JourneyAnswer,
    };
  };

  /** the answer lists exactly the events its profile counts: the user's first eventCount, in log order */
  const expectConsistent = (userId: string, answer: Answer) => {
    expect(answer.status).toBe(200);
    const { profile, events } = answer.body;
    expect(events.map((e) => e.id).sort()).toEqual((appended.get(userId) ?? []).slice(0, profile.eventCount).sort());
  };

  beforeAll(async () => {
    data = await tempDataDir('consistency');
    database = postgres ? await startPostgresServer() : undefined;
    const config = loadConfig({
      JOURNEY_DATA_DIR: data.dir,
      ...(database ? { JOURNEY_DATABASE_URL: database.url } : {}),
    });
    eventStore = new SqliteEventStore(data.file('events.db'));
    side = readSideFor(config, 'consistency test');
    writers = { timeline: side.readModels('timeline'), users: side.readModels('users') };
    readers = { timeline: side.readModels('timeline'), users: side.readModels('users') };
    projections = { timeline: journeyProjection(config, 'timeline'), users: journeyProjection(config, 'users') };
    app = createHttpServer({ logger: false });
    registerApiRoutes(app, {
      queries: new JourneyQueries(splitReadModelQueries(readers.timeline, readers.users), 15),
      apiToken: TOKEN,
      clock: { now: () => Date.parse('2026-03-20T00:00:00.000Z') },
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    await appendRound(0);
    await appendRound(1);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    for (const store of [writers?.timeline, writers?.users, readers?.timeline, readers?.users]) await store?.close();
    await side?.close();
    await eventStore?.close();
    await database?.stop();
    await data?.remove();
  });

  it('refuses with 503 and Retry-After, after a short wait, while the timeline is held back', async () => {
    await catchUp('users');
    await step('timeline');
    const answers = await Promise.all(USERS.map(journeyOf));
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe('1');
      expect(answer.body).toMatchObject({ error: 'unavailable', message: expect.stringMatching(/timeline.*behind/) });
    }
  });

  /** users one batch ahead, the timeline following, until both reach the head; asking all users at each step */
  const bothMoving = async () => {
    while (await step('users')) {
      const users = positionToString((await writers.users.readCheckpoint('users')) ?? { commit: 0n, prepare: 0n });
      const asked = Promise.all(USERS.map(async (userId) => ({ userId, answer: await journeyOf(userId) })));
      await sleep(20); // the answers wait for the timeline, which follows
      await step('timeline');
      for (const { userId, answer } of await asked) {
        // a machine slow enough to outlast the wait gets a 503; asked again now, no wait is needed
        const settled = answer.status === 503 ? await journeyOf(userId) : answer;
        expectConsistent(userId, settled);
        expect(settled.body.position).toBe(users);
      }
    }
  };

  it('answers each user at the users position once the timeline has caught up with it, while both move', async () => {
    // clients ask all along; the timeline catches up, then both move on a batch apart
    let asking = true;
    const seen: { userId: string; answer: Answer }[] = [];
    const clients = USERS.map(async (userId) => {
      while (asking) {
        seen.push({ userId, answer: await journeyOf(userId) });
        await sleep(5);
      }
    });
    try {
      await catchUp('timeline');
      await appendRound(2);
      await bothMoving();
    } finally {
      asking = false;
      await Promise.all(clients);
    }
    const answered = seen.filter((s) => s.answer.status === 200);
    expect(answered.length).toBeGreaterThan(0);
    for (const { userId, answer } of answered) expectConsistent(userId, answer);
    for (const { answer } of seen.filter((s) => s.answer.status !== 200)) expect(answer.status).toBe(503);
  });

  it('answers at once, without the events the profile has not counted, when the timeline is ahead', async () => {
    await appendRound(3);
    await catchUp('timeline');
    const users = await writers.users.readCheckpoint('users');
    for (const userId of USERS) {
      const answer = await journeyOf(userId);
      expectConsistent(userId, answer);
      expect(answer.body.profile.eventCount).toBe(3 * TYPES.length);
      expect(answer.body.position).toBe(users && positionToString(users));
    }
    await catchUp('users');
    for (const userId of USERS) {
      const answer = await journeyOf(userId);
      expectConsistent(userId, answer);
      expect(answer.body.events).toHaveLength(4 * TYPES.length);
    }
  });
});
