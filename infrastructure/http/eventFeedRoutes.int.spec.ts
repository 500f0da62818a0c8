import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../application/feed/journeyEventFeed.ts';
import type { AllSubscription, EventStore, RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import { type JourneyEventType, journeyStreamOf } from '../../domain/journey/journeyEvent.ts';
import { openSse, type SseClient } from '../../testing/http/sseClient.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { sleep } from '../../testing/sleep.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { SqliteEventStore } from '../sqlite/eventStore/sqliteEventStore.ts';
import { registerApiRoutes } from './apiRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

const TOKEN = 'jt_test_token_0123456789';

type Started = {
  readonly base: string;
  readonly store: SqliteEventStore;
  readonly app: FastifyInstance;
  /** events the feeds have taken from the store so far */
  readonly read: () => number;
};

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** counts what subscriptions hand out, to see how far the feed reads ahead of its client */
const counting = (store: EventStore, count: (n: number) => void): Pick<EventStore, 'subscribeAll'> => ({
  subscribeAll: (options) => {
    const subscription = store.subscribeAll(options);
    const iterator = subscription[Symbol.asyncIterator]();
    const counted: AllSubscription = {
      close: () => subscription.close(),
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const next = await iterator.next();
          if (!next.done) count(next.value.length);
          return next;
        },
        return: async () => (await iterator.return?.()) ?? { done: true, value: undefined },
      }),
    };
    return counted;
  },
});

const start = async (options: { heartbeatMs?: number; batchSize?: number } = {}): Promise<Started> => {
  const dir: TempDataDir = await tempDataDir('feed');
  const store = new SqliteEventStore(dir.file('events.db'), { synchronous: 'NORMAL' });
  let read = 0;
  const app = createHttpServer({ logger: false });
  registerApiRoutes(app, {
    queries: new JourneyQueries(new MemoryReadModels(), 15),
    apiToken: TOKEN,
    clock: { now: () => Date.now() },
    eventFeed: { store: counting(store, (n) => (read += n)), ...options },
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    await app.close();
    await store.close();
    await dir.remove();
  });
  return { base, store, app, read: () => read };
};

const append = async (
  store: EventStore,
  userId: string,
  type: JourneyEventType,
  count = 1,
  data: Record<string, unknown> = {},
): Promise<void> => {
  await store.append(
    journeyStreamOf(userId),
    Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      type,
      data: { ...data, i },
      metadata: { occurredAt: '2026-05-01T12:00:00.000Z', sourceMessageIds: [`m-${i}`], ruleId: 'r' },
    })),
  );
};

const feed = (started: Started, query = '', options: Parameters<typeof openSse>[1] = {}): Promise<SseClient> => {
  const client = openSse(`${started.base}/api/events/stream${query}`, { token: TOKEN, ...options });
  void client.then((c) => cleanups.push(async () => c.close()));
  return client;
};

const idsOf = (events: readonly RecordedEvent[]): string[] => events.map((e) => e.id);
const eventIdsOf = (client: SseClient): string[] => client.messages.map((m) => (JSON.parse(m.data) as FeedEvent).id);

describe('GET /api/events/stream', () => {
  it('sends the stored journey events, then live ones, each with its position, type and JSON data', async () => {
    const started = await start();
    await append(started.store, 'ada', 'UserSignedUp', 1, { email: 'ada@example.com' });
    await started.store.append('identity-anon-1', [{ id: randomUUID(), type: 'IdentityLinked', data: {} }]);
    await append(started.store, 'bob', 'PageViewed', 2);
    const client = await feed(started);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    await client.waitFor(3);
    await append(started.store, 'ada', 'ProjectCreated');
    const [first, , , live] = await client.waitFor(4);
    const stored = (await started.store.readAll()).filter((e) => e.streamId.startsWith('journey-'));
    expect(client.messages.map((m) => m.id)).toEqual(stored.map((e) => `${e.position.commit}`));
    expect(client.messages.map((m) => m.event)).toEqual(['UserSignedUp', 'PageViewed', 'PageViewed', 'ProjectCreated']);
    expect(JSON.parse(first?.data ?? '')).toEqual({
      position: first?.id,
      id: stored[0]?.id,
      type: 'UserSignedUp',
      userId: 'ada',
      occurredAt: '2026-05-01T12:00:00.000Z',
      recordedAt: stored[0]?.recordedAt,
      data: { email: 'ada@example.com', i: 0 },
      metadata: { occurredAt: '2026-05-01T12:00:00.000Z', sourceMessageIds: ['m-0'], ruleId: 'r' },
    });
    expect(JSON.parse(live?.data ?? '')).toMatchObject({ type: 'ProjectCreated', userId: 'ada' });
    expect(client.comments[0]).toBe('journey events');
  });

  it('resumes after a disconnect mid-stream with Last-Event-ID, missing nothing and repeating nothing', async () => {
    const started = await start({ batchSize: 50 });
    await append(started.store, 'ada', 'PageViewed', 1_500);
    const first = await feed(started, '', { closeAfter: 700 });
    await first.ended;
    expect(first.messages).toHaveLength(700);
    // appended while the client is away, to two users
    await append(started.store, 'bob', 'DeploymentStarted', 300);
    await append(started.store, 'ada', 'DeploymentCompleted', 200);
    const second = await feed(started, '', { lastEventId: first.messages.at(-1)?.id ?? '' });
    await second.waitFor(1_300);
    await append(started.store, 'bob', 'DeploymentFailed', 5);
    await second.waitFor(1_305);
    await sleep(200); // time for a repeat to show up
    const all = await started.store.readAll();
    expect([...eventIdsOf(first), ...eventIdsOf(second)]).toEqual(idsOf(all));
    const positions = [...first.messages, ...second.messages].map((m) => Number(m.id));
    expect(positions).toEqual(all.map((e) => Number(e.position.commit)));
  });

  it('resumes with ?after= for clients that cannot set headers, and Last-Event-ID wins over it', async () => {
    const started = await start();
    await append(started.store, 'ada', 'PageViewed', 10);
    const all = await started.store.readAll();
    const after = await feed(started, `?after=${all[3]?.position.commit}`);
    expect(eventIdsOf({ ...after, messages: await after.waitFor(6) })).toEqual(idsOf(all.slice(4)));
    const both = await feed(started, `?after=${all[3]?.position.commit}`, {
      lastEventId: `${all[7]?.position.commit}`,
    });
    await both.waitFor(2);
    await sleep(150);
    expect(eventIdsOf(both)).toEqual(idsOf(all.slice(8)));
    // the commit/prepare form (EventStoreDB's) names the same position
    const long = await feed(started, `?after=${all[8]?.position.commit}/${all[8]?.position.prepare}`);
    await long.waitFor(1);
    await sleep(150);
    expect(eventIdsOf(long)).toEqual(idsOf(all.slice(9)));
  });

  it('filters by type (repeated or comma-separated) and by user, exactly', async () => {
    const started = await start();
    await append(started.store, 'ada', 'UserSignedUp');
    await append(started.store, 'adam', 'UserSignedUp');
    await append(started.store, 'ada', 'PageViewed', 3);
    await append(started.store, 'ada', 'ErrorEncountered');
    await append(started.store, 'adam', 'ErrorEncountered');
    const all = await started.store.readAll();
    const pick = (keep: (e: RecordedEvent) => boolean) => idsOf(all.filter(keep));
    const check = async (query: string, keep: (e: RecordedEvent) => boolean) => {
      const expected = pick(keep);
      const client = await feed(started, query);
      await client.waitFor(expected.length);
      await sleep(150);
      expect({ query, ids: eventIdsOf(client) }).toEqual({ query, ids: expected });
    };
    const types =
      (...t: string[]) =>
      (e: RecordedEvent) =>
        t.includes(e.type);
    await check('?type=UserSignedUp&type=ErrorEncountered', types('UserSignedUp', 'ErrorEncountered'));
    await check('?type=UserSignedUp,%20ErrorEncountered', types('UserSignedUp', 'ErrorEncountered'));
    await check('?userId=ada', (e) => e.streamId === 'journey-ada');
    await check(
      '?userId=ada&type=ErrorEncountered,UserSignedUp',
      (e) => e.streamId === 'journey-ada' && e.type !== 'PageViewed',
    );
    // and live
    const client = await feed(started, '?userId=adam&type=PageViewed');
    await append(started.store, 'ada', 'PageViewed');
    await append(started.store, 'adam', 'PageViewed');
    const [only] = await client.waitFor(1);
    expect(JSON.parse(only?.data ?? '')).toMatchObject({ userId: 'adam', type: 'PageViewed' });
  });

  it('needs the API token', async () => {
    const started = await start();
    for (const token of [undefined, 'jt_wrong_token_0123456789']) {
      const client = await openSse(`${started.base}/api/events/stream`, token === undefined ? {} : { token });
      await client.ended;
      expect(client.status).toBe(401);
      expect(JSON.parse(client.body())).toMatchObject({
        error: 'unauthorized',
        message: expect.stringContaining('Bearer'),
      });
    }
  });

  it('answers 400 for an unknown type naming the known ones, and for a malformed position', async () => {
    const started = await start();
    const refused = async (query: string, options: Parameters<typeof openSse>[1] = {}) => {
      const client = await feed(started, query, options);
      await client.ended;
      expect({ query, status: client.status }).toEqual({ query, status: 400 });
      return JSON.parse(client.body()) as { error: string; message: string };
    };
    expect((await refused('?type=UserSignedUp,SignedUp')).message).toBe(
      'query parameter type has unknown type SignedUp; the journey event types are UserIdentified, UserSignedUp, UserAuthenticated, ProjectCreated, DeploymentStarted, DeploymentCompleted, DeploymentFailed, ErrorEncountered, PageViewed',
    );
    expect((await refused('?after=yesterday')).message).toMatch(/^query parameter after must be a global position/);
    expect((await refused('', { lastEventId: 'abc' })).message).toMatch(
      /^header Last-Event-ID must be a global position .*send the id of the last message received$/,
    );
    const json = await feed(started, '', { accept: 'application/json' });
    await json.ended;
    expect(json.status).toBe(406);
  });

  it('sends heartbeat comments while there is nothing to send', async () => {
    const started = await start({ heartbeatMs: 50 });
    const client = await feed(started);
    await waitUntil('two heartbeats', () => client.comments.filter((c) => c === 'heartbeat').length >= 2);
    expect(client.messages).toEqual([]);
  });

  it('reads ahead of a client that stops reading by a bounded amount, then catches it up', async () => {
    const started = await start({ batchSize: 20 });
    const padding = 'x'.repeat(16_000);
    for (let i = 0; i < 10; i++) await append(started.store, 'ada', 'PageViewed', 200, { padding });
    const client = await feed(started);
    await client.waitFor(1);
    client.pause();
    // stalled once the socket buffers are full: the reads stop too
    let seen = -1;
    await waitUntil('the feed to stop reading', async () => {
      const now = started.read();
      const still = now === seen;
      seen = now;
      await sleep(300);
      return still && started.read() === now;
    });
    // 2,000 events of 16 kB: what is read is what the kernel buffers (a few MB) plus one batch
    expect(started.read()).toBeLessThan(1_000);
    client.resume();
    await client.waitFor(2_000, 15_000);
    expect(started.read()).toBe(2_000);
  });

  it('ends open feeds when the server closes, also one whose client stopped reading', async () => {
    const started = await start();
    await append(started.store, 'ada', 'PageViewed', 400, { padding: 'x'.repeat(16_000) });
    const reading = await feed(started);
    const stalled = await feed(started);
    await stalled.waitFor(1);
    stalled.pause();
    await reading.waitFor(400);
    const t0 = Date.now();
    await started.app.close();
    // without the feed's preClose hook, close() waits for both clients for ever
    expect(Date.now() - t0).toBeLessThan(5_000);
    await reading.ended;
    stalled.resume();
    await stalled.ended;
    expect(stalled.messages.length).toBeLessThan(400);
  });
});
