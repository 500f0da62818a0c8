import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedEventOf } from '../../application/feed/journeyEventFeed.ts';
import type { EventStore } from '../../application/ports/eventStore/eventStore.ts';
import { type JourneyEventType, journeyStreamOf } from '../../domain/journey/journeyEvent.ts';
import { type NatsServerHarness, startNatsServer } from '../../testing/nats/natsServerHarness.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { SqliteEventStore } from '../sqlite/eventStore/sqliteEventStore.ts';
import { NatsJourneyEventPublisher, POSITION_HEADER } from './natsJourneyEventPublisher.ts';

let server: NatsServerHarness;
let subscriber: NatsConnection;
let received: Msg[];
let dir: TempDataDir;
let store: SqliteEventStore;
let publishers: NatsJourneyEventPublisher[];

beforeEach(async () => {
  server = await startNatsServer();
  subscriber = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  received = [];
  subscriber.subscribe('journey.events.>', { callback: (_, msg) => void received.push(msg) });
  await subscriber.flush();
  dir = await tempDataDir('nats-feed');
  store = new SqliteEventStore(dir.file('events.db'), { synchronous: 'NORMAL', pollIntervalMs: 20 });
  publishers = [];
});

afterEach(async () => {
  for (const p of publishers) await p.stop();
  await subscriber.close();
  await server.stop();
  await store.close();
  await dir.remove();
});

const publisher = (): NatsJourneyEventPublisher => {
  const p = new NatsJourneyEventPublisher(store, () => connect({ servers: server.url }), {
    retryDelayMs: 100,
    publishTimeoutMs: 1_000,
  });
  publishers.push(p);
  p.start();
  return p;
};

const append = async (s: EventStore, userId: string, type: JourneyEventType, count = 1): Promise<void> => {
  await s.append(
    journeyStreamOf(userId),
    Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      type,
      data: { i },
      metadata: { occurredAt: '2026-05-01T12:00:00.000Z', sourceMessageIds: [`m-${i}`], ruleId: 'r' },
    })),
  );
};

const journeyEventIds = async (): Promise<string[]> =>
  (await store.readAll({ streamPrefix: 'journey-' })).map((e) => e.id);

/** the event ids the JOURNEY_EVENTS stream holds, in its order */
const streamIds = async (): Promise<string[]> => {
  const jsm = await jetstreamManager(subscriber);
  const { state } = await jsm.streams.info('JOURNEY_EVENTS');
  const ids: string[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage('JOURNEY_EVENTS', { seq });
    ids.push(m?.header.get('Nats-Msg-Id') ?? '?');
  }
  return ids;
};

describe('NatsJourneyEventPublisher against a real nats-server', () => {
  it('publishes each journey event to journey.events.<type>, in order, with its id and position', async () => {
    await append(store, 'ada', 'UserSignedUp');
    await store.append('identity-anon-1', [{ id: randomUUID(), type: 'IdentityLinked', data: {} }]);
    await append(store, 'ada', 'ProjectCreated', 2);
    publisher();
    await waitUntil('3 messages', () => received.length >= 3);
    await append(store, 'bob', 'ErrorEncountered');
    await waitUntil('a live one', () => received.length >= 4);
    const events = await store.readAll({ streamPrefix: 'journey-' });
    expect(received.map((m) => m.subject)).toEqual([
      'journey.events.UserSignedUp',
      'journey.events.ProjectCreated',
      'journey.events.ProjectCreated',
      'journey.events.ErrorEncountered',
    ]);
    expect(received.map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(events.map((e) => e.id));
    expect(received.map((m) => m.headers?.get(POSITION_HEADER))).toEqual(events.map((e) => `${e.position.commit}`));
    expect(received.map((m) => m.json())).toEqual(events.map((e) => JSON.parse(JSON.stringify(feedEventOf(e)))));
  });

  it('goes on after a restart from what the stream holds: events appended meanwhile, nothing twice', async () => {
    await append(store, 'ada', 'PageViewed', 50);
    const first = publisher();
    await waitUntil('50 messages', () => received.length >= 50);
    await first.stop();
    await append(store, 'bob', 'PageViewed', 30);
    publisher();
    await waitUntil('80 messages', () => received.length >= 80);
    await append(store, 'ada', 'DeploymentStarted', 5);
    await waitUntil('85 messages', () => received.length >= 85);
    const all = await journeyEventIds();
    expect(received.map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(all);
    expect(await streamIds()).toEqual(all);
  });

  it('keeps every event once in the stream across a nats-server crash mid-publish', async () => {
    await append(store, 'ada', 'PageViewed', 1_000);
    publisher();
    await waitUntil('a first part published', () => received.length >= 100);
    await server.kill();
    expect(received.length).toBeLessThan(1_000); // mid-publish indeed
    await append(store, 'bob', 'PageViewed', 500);
    await server.restart();
    const all = await journeyEventIds();
    // the subscriber's own requests time out until it has reconnected too
    const stored = async () => {
      const jsm = await jetstreamManager(subscriber);
      return (await jsm.streams.info('JOURNEY_EVENTS')).state.messages;
    };
    await waitUntil('all in the stream', async () => (await stored().catch(() => 0)) >= all.length, {
      lastSeen: () => received.length,
    });
    expect(await streamIds()).toEqual(all);
  });

  it('refuses to guess when something else publishes to its subjects', async () => {
    const jsm = await jetstreamManager(subscriber);
    await jsm.streams.add({ name: 'JOURNEY_EVENTS', subjects: ['journey.events.>'] });
    await subscriber.publish('journey.events.Mine', 'hello');
    await subscriber.flush();
    const warnings: string[] = [];
    const p = new NatsJourneyEventPublisher(store, () => connect({ servers: server.url }), {
      retryDelayMs: 50,
      logger: {
        info: () => {},
        error: () => {},
        warn: (d) => warnings.push(String((d as { err: Error }).err.message)),
      },
    });
    publishers.push(p);
    await append(store, 'ada', 'PageViewed');
    p.start();
    await waitUntil('a warning', () => warnings.length > 0);
    expect(warnings[0]).toContain('has no Journey-Position header: something else publishes to its subjects');
    expect(p.position).toBeUndefined();
  });
});
