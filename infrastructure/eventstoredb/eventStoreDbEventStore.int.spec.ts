import {
  NO_STREAM as ESDB_NO_STREAM,
  EventStoreDBClient,
  jsonEvent,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../../application/ports/eventStore/eventStore.contract.ts';
import { someEvents } from '../../application/ports/eventStore/eventStore.fixtures.ts';
import { ANY, NO_STREAM, type RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import { isConfigError, isUnavailableError } from '../../domain/errors/journeyError.ts';
import { EsdbEmulator } from '../../testing/eventstoredb/emulator/esdbEmulator.ts';
import { NamespacedEventStore } from '../../testing/eventstoredb/namespacedEventStore.ts';
import { EventStoreDbEventStore } from './eventStoreDbEventStore.ts';

const realServer = process.env.EVENTSTORE_CONNECTION_STRING;

// a fresh emulator per test is cheap (one in-process gRPC server) and gives empty storage;
// the client appends through BatchAppend when the server lists it and through Append when
// not, so the contract runs once per path
for (const batchAppend of [false, true]) {
  describeEventStoreContract(`eventstoredb (emulator, ${batchAppend ? 'BatchAppend' : 'Append'})`, async () => {
    const emulator = await EsdbEmulator.start({ batchAppend });
    const store = new EventStoreDbEventStore(emulator.connectionString, { reconnectDelayMs: 10 });
    await store.ready();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await emulator.stop();
      },
    };
  });
}

// the wrapper the real-server run uses, held to the contract where it can be checked here
describeEventStoreContract('eventstoredb (emulator, namespaced as for a real server)', async () => {
  const emulator = await EsdbEmulator.start();
  const store = new EventStoreDbEventStore(emulator.connectionString);
  return {
    store: new NamespacedEventStore(store),
    cleanup: async () => {
      await store.close();
      await emulator.stop();
    },
  };
});

if (realServer) {
  // a real server cannot be emptied between tests: each test gets its own stream namespace
  describeEventStoreContract('eventstoredb (real server)', async () => {
    const store = new EventStoreDbEventStore(realServer);
    await store.ready();
    return { store: new NamespacedEventStore(store), cleanup: () => store.close() };
  });
}

describe('EventStoreDB contract against a real server', () => {
  it.skipIf(realServer === undefined)(
    'SKIPPED without a real server: run `docker compose up eventstore`, then `EVENTSTORE_CONNECTION_STRING=esdb://127.0.0.1:2113?tls=false npm test`',
    () => {
      expect(realServer).toBeDefined();
    },
  );
});

describe('EventStoreDbEventStore on the emulator', () => {
  const opened: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const resource of opened.splice(0).reverse()) await resource.close();
  });
  const started = async () => {
    const emulator = await EsdbEmulator.start();
    const store = new EventStoreDbEventStore(emulator.connectionString, { reconnectDelayMs: 10 });
    opened.push({ close: () => emulator.stop() }, store);
    return { emulator, store };
  };

  it.each([false, true])('appends through the path the server advertises (batchAppend: %s)', async (batchAppend) => {
    const emulator = await EsdbEmulator.start({ batchAppend });
    const store = new EventStoreDbEventStore(emulator.connectionString);
    opened.push({ close: () => emulator.stop() }, store);
    await store.append('s', someEvents(2), { expectedRevision: NO_STREAM });
    await expect(store.append('s', someEvents(1), { expectedRevision: NO_STREAM })).rejects.toThrow();
    expect(await store.readStream('s')).toHaveLength(2);
    expect(emulator.calls.batchAppend > 0).toBe(batchAppend);
    expect(emulator.calls.append > 0).toBe(!batchAppend);
  });

  it.each([false, true])('gives the client the same results on both paths (batchAppend: %s)', async (batchAppend) => {
    const emulator = await EsdbEmulator.start({ batchAppend });
    const client = EventStoreDBClient.connectionString(emulator.connectionString);
    opened.push({ close: () => emulator.stop() }, { close: () => client.dispose() });
    const event = () => jsonEvent({ type: 't', data: { n: 1 } });
    const first = await client.appendToStream('s', [event(), event()], { expectedRevision: ESDB_NO_STREAM });
    expect(first).toMatchObject({ success: true, nextExpectedRevision: 1n });
    // concurrent appends share one BatchAppend call, each answered under its correlation id
    const [noStream, behind, next] = await Promise.allSettled([
      client.appendToStream('s', event(), { expectedRevision: ESDB_NO_STREAM }),
      client.appendToStream('s', event(), { expectedRevision: 5n }),
      client.appendToStream('s', event(), { expectedRevision: 1n }),
    ]);
    for (const [outcome, expectedVersion] of [
      [noStream, 'no_stream'],
      [behind, 5n],
    ] as const) {
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(outcome).toMatchObject({ reason: { streamName: 's', expectedVersion, actualVersion: 1n } });
    }
    expect(next).toMatchObject({ value: { success: true, nextExpectedRevision: 2n } });
    expect(emulator.calls).toEqual(batchAppend ? { append: 0, batchAppend: 1 } : { append: 4, batchAppend: 0 });
  });

  it('leaves the system events of a fresh server out of readAll and headPosition', async () => {
    const { emulator, store } = await started();
    expect(emulator.store.log.length).toBeGreaterThan(0);
    expect(await store.readAll()).toEqual([]);
    expect(await store.headPosition()).toBeNull();
  });

  it('sees the ids another process appended, at any depth, and after its cache let a stream go', async () => {
    const emulator = await EsdbEmulator.start();
    const [first, second] = [{}, { idCacheEvents: 10 }].map(
      (options) => new EventStoreDbEventStore(emulator.connectionString, options),
    ) as [EventStoreDbEventStore, EventStoreDbEventStore];
    opened.push({ close: () => emulator.stop() }, first, second);
    const opening = someEvents(2);
    const start = await first.append('s', opening, { expectedRevision: NO_STREAM });
    // more than one page of the index's first read (4,096 events)
    for (let i = 0; i < 10; i++) await second.append('s', someEvents(500));
    // the first process's index stops at revision 1: its write conflicts, it reads the rest, decides again
    const late = someEvents(1);
    await first.append('s', [opening[0], ...late] as typeof late, { expectedRevision: ANY });
    expect(await second.append('s', opening, { expectedRevision: NO_STREAM })).toEqual(start);
    // a stream of more than 10 events is let go once another is used; coming back reads it again
    await second.append('other', someEvents(3));
    await second.append('s', [...opening, ...late], { expectedRevision: ANY });
    const ids = (await first.readStream('s')).map((e) => e.id);
    expect(ids).toHaveLength(5_003);
    expect(new Set(ids).size).toBe(5_003);
    expect(ids.at(-1)).toBe(late[0]?.id);
  });

  it('resubscribes after the server drops the subscription, without gaps or repeats', async () => {
    const { emulator, store } = await started();
    await store.append('journey-1', someEvents(3));
    const subscription = store.subscribeAll({ streamPrefix: 'journey-' });
    const iterator = subscription[Symbol.asyncIterator]();
    const got: RecordedEvent[] = [];
    const take = async (count: number) => {
      while (got.length < count) {
        const next = await iterator.next();
        if (next.done) throw new Error('the subscription ended');
        got.push(...next.value);
      }
    };
    await take(3);
    for (let drop = 0; drop < 3; drop++) {
      emulator.dropSubscriptions();
      await store.append(`journey-${drop}`, someEvents(2));
      await take(3 + 2 * (drop + 1));
    }
    await subscription.close();
    expect(got.map((e) => e.id)).toEqual((await store.readAll({ streamPrefix: 'journey-' })).map((e) => e.id));
  });

  it('fails ready() on a closed port with a message naming the host and what to do', async () => {
    const emulator = await EsdbEmulator.start();
    const closedPort = emulator.connectionString;
    await emulator.stop();
    const store = new EventStoreDbEventStore(closedPort, { readyTimeoutMs: 2_000 });
    opened.push(store);
    const error = await store.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toSatisfy(isUnavailableError);
    expect(String((error as Error).message)).toMatch(/127\.0\.0\.1:\d+ is not reachable/);
    expect(String((error as Error).message)).toContain('docker compose up eventstore');
  });

  it('says to fix the TLS setting when the client expects TLS from an insecure server', async () => {
    const { emulator } = await started();
    const store = new EventStoreDbEventStore(emulator.connectionString.replace('?tls=false', ''), {
      readyTimeoutMs: 2_000,
    });
    opened.push(store);
    const error = await store.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(/tls/i);
    expect(error).toSatisfy((e: unknown) => isConfigError(e) || isUnavailableError(e));
  });

  it('says to fix the credentials when the server denies access', async () => {
    const emulator = await EsdbEmulator.start({ denyAccess: true });
    const store = new EventStoreDbEventStore(emulator.connectionString);
    opened.push({ close: () => emulator.stop() }, store);
    const error = await store.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toSatisfy(isConfigError);
    expect(String((error as Error).message)).toMatch(/refused the credentials.*esdb:\/\/admin:changeit@/);
  });

  it('keeps credentials out of its messages', async () => {
    const store = new EventStoreDbEventStore('esdb://admin:secret@127.0.0.1:1?tls=false', { readyTimeoutMs: 1_000 });
    opened.push(store);
    const error = await store.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).not.toContain('secret');
    expect(String(error)).toContain('esdb://127.0.0.1:1?tls=false');
  });
});
