import { afterEach, beforeEach, describe } from 'vitest';
import type { StoreOf } from './eventStore.fixtures.ts';
import type { EventStore } from './eventStore.ts';
import { describeAppendContract } from './eventStoreAppend.contract.ts';
import { describeReadContract } from './eventStoreRead.contract.ts';
import { describeSubscribeContract } from './eventStoreSubscribe.contract.ts';

export type EventStoreFixture = { readonly store: EventStore; cleanup(): Promise<void> };
/** a fresh, empty store per test; `cleanup` closes it and removes its storage */
export type EventStoreFactory = () => Promise<EventStoreFixture>;

/**
 * The EventStore contract: every adapter's spec calls this with its factory, so the memory,
 * SQLite and EventStoreDB adapters are held to the same rules (see the port's header).
 */
export const describeEventStoreContract = (name: string, factory: EventStoreFactory): void => {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const store: StoreOf = () => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture.store;
    };
    describeAppendContract(store);
    describeReadContract(store);
    describeSubscribeContract(store);
  });
};
