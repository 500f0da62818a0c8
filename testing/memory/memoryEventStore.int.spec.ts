import { describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../../application/ports/eventStore/eventStore.contract.ts';
import { isValidationError } from '../../domain/errors/journeyError.ts';
import { MemoryEventStore } from './memoryEventStore.ts';

describeEventStoreContract('memory', async () => {
  const store = new MemoryEventStore({ pollIntervalMs: 20 });
  return { store, cleanup: () => store.close() };
});

describe('MemoryEventStore', () => {
  it('refuses an event id already used by another stream, like the SQLite adapter', async () => {
    const store = new MemoryEventStore();
    await store.append('a', [{ id: 'e-1', type: 'T', data: {} }]);
    await expect(store.append('b', [{ id: 'e-1', type: 'T', data: {} }])).rejects.toSatisfy(isValidationError);
    await store.close();
  });

  it('hands out frozen events, so a reader cannot change the store', async () => {
    const store = new MemoryEventStore();
    await store.append('a', [{ id: 'e-1', type: 'T', data: { n: 1 } }]);
    const [event] = await store.readStream('a');
    expect(() => {
      (event?.data as { n: number }).n = 2;
    }).toThrow(TypeError);
    await store.close();
  });
});
