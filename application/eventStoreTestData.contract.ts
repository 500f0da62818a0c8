import { randomUUID } from 'node:crypto';
import type { EventData, EventStore } from './eventStore.ts';

/** hands each test the store of the fixture created for it */
export type StoreOf = () => EventStore;

/** an event with a fresh UUID (EventStoreDB insists on UUIDs), unless an id is given */
export const eventData = (type = 'Tested', data: unknown = {}, id: string = randomUUID()): EventData => ({
  id,
  type,
  data,
  metadata: { occurredAt: '2026-01-31T12:00:00.000Z', sourceMessageIds: ['m-1'] },
});

export const someEvents = (n: number, type = 'Tested'): EventData[] =>
  Array.from({ length: n }, (_, i) => eventData(type, { i }));
