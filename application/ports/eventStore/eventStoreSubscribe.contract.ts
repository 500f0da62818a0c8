import { describe, expect, it } from 'vitest';
import { eventData, type StoreOf, someEvents } from './eventStore.fixtures.ts';
import type { AllSubscription, EventStore, RecordedEvent } from './eventStore.ts';
import { expectStrictlyIncreasing } from './eventStoreRead.contract.ts';

/** generous: a liveness bound that fails a hung test, not a performance assertion */
const PATIENCE_MS = 5_000;

const within = <T>(promise: Promise<T>, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${PATIENCE_MS} ms waiting for ${what}`)), PATIENCE_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

type Reader = { readonly iterator: AsyncIterator<readonly RecordedEvent[]>; readonly batches: number[] };
const readerOf = (subscription: AllSubscription): Reader => ({
  iterator: subscription[Symbol.asyncIterator](),
  batches: [],
});

/** pulls batches until `count` more events have arrived (or the subscription ends) */
const take = async (reader: Reader, count: number): Promise<RecordedEvent[]> => {
  const got: RecordedEvent[] = [];
  while (got.length < count) {
    const next = await within(reader.iterator.next(), `${count} events, got ${got.length}`);
    if (next.done) break;
    reader.batches.push(next.value.length);
    got.push(...next.value);
  }
  return got;
};

const ids = (events: readonly RecordedEvent[]): string[] => events.map((e) => e.id);

const sizeOf = (round: number, stream: number): number => 1 + ((round + stream) % 2);
const eventsIn = (rounds: number, streams: number): number => {
  let n = 0;
  for (let r = 0; r < rounds; r++) for (let s = 0; s < streams; s++) n += sizeOf(r, s);
  return n;
};

/** rounds of concurrent appends to many streams, the way the mapper appends */
const appendRounds = async (store: EventStore, rounds: number, streams: number): Promise<void> => {
  for (let r = 0; r < rounds; r++) {
    await Promise.all(
      Array.from({ length: streams }, (_, s) => store.append(`journey-${s}`, someEvents(sizeOf(r, s)))),
    );
  }
};

export const describeSubscribeContract = (storeOf: StoreOf): void => {
  describe('subscribeAll', () => {
    it('delivers the events already stored, then the ones appended after subscribing', async () => {
      const store = storeOf();
      await store.append('a', someEvents(3));
      const subscription = store.subscribeAll();
      const reader = readerOf(subscription);
      expect(ids(await take(reader, 3))).toEqual(ids(await store.readAll()));
      const live = [eventData(), eventData()];
      await store.append('b', live.slice(0, 1));
      await store.append('a', live.slice(1));
      expect(ids(await take(reader, 2))).toEqual(live.map((e) => e.id));
      await subscription.close();
    });

    it('starts after an exclusive fromPosition', async () => {
      const store = storeOf();
      await store.append('s', someEvents(5));
      const all = await store.readAll();
      const second = all[1];
      if (!second) throw new Error('expected 5 events');
      const subscription = store.subscribeAll({ fromPosition: second.position });
      const reader = readerOf(subscription);
      expect(ids(await take(reader, 3))).toEqual(ids(all.slice(2)));
      const live = eventData();
      await store.append('s', [live]);
      expect(ids(await take(reader, 1))).toEqual([live.id]);
      await subscription.close();
    });

    it('delivers only streams with the prefix, during catch-up and live', async () => {
      const store = storeOf();
      await store.append('identity-1', someEvents(2));
      await store.append('journey-1', someEvents(1));
      const subscription = store.subscribeAll({ streamPrefix: 'journey-' });
      const reader = readerOf(subscription);
      expect((await take(reader, 1)).map((e) => e.streamId)).toEqual(['journey-1']);
      await store.append('identity-2', someEvents(3));
      await store.append('journey-2', someEvents(1));
      expect((await take(reader, 1)).map((e) => e.streamId)).toEqual(['journey-2']);
      await subscription.close();
    });

    it('keeps batches within batchSize', async () => {
      const store = storeOf();
      await store.append('s', someEvents(7));
      const subscription = store.subscribeAll({ batchSize: 3 });
      const reader = readerOf(subscription);
      expect(await take(reader, 7)).toHaveLength(7);
      expect(reader.batches.every((n) => n > 0 && n <= 3)).toBe(true);
      await subscription.close();
    });

    it('ends the iteration on close(), also while waiting for new events', async () => {
      const store = storeOf();
      await store.append('s', someEvents(2));
      const subscription = store.subscribeAll();
      const seen: RecordedEvent[] = [];
      const iterating = (async () => {
        for await (const batch of subscription) {
          seen.push(...batch);
          // a subscription that repeats itself would otherwise spin here forever
          if (seen.length > 100) break;
        }
      })();
      const deadline = Date.now() + PATIENCE_MS;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(seen).toHaveLength(2);
      await subscription.close();
      await within(iterating, 'the iteration to end after close()');
      await store.append('s', someEvents(1));
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toHaveLength(2);
    });

    it('ends when the consumer breaks out of the loop, and close() afterwards is harmless', async () => {
      const store = storeOf();
      await store.append('s', someEvents(2));
      const subscription = store.subscribeAll({ batchSize: 1 });
      let batches = 0;
      await within(
        (async () => {
          for await (const _ of subscription) {
            batches++;
            break;
          }
        })(),
        'the first batch',
      );
      expect(batches).toBe(1);
      await subscription.close();
    });

    it('misses and repeats nothing when appends race with catching up and going live', async () => {
      const store = storeOf();
      await appendRounds(store, 2, 6);
      const racing = appendRounds(store, 12, 6);
      const subscription = store.subscribeAll({ batchSize: 7 });
      const taking = take(readerOf(subscription), eventsIn(2, 6) + eventsIn(12, 6) + eventsIn(3, 6));
      await racing;
      await appendRounds(store, 3, 6);
      const got = await taking;
      const expected = await store.readAll();
      expect(ids(got)).toEqual(ids(expected));
      expect(new Set(ids(got)).size).toBe(got.length);
      expectStrictlyIncreasing(got);
      await subscription.close();
    });
  });
};
