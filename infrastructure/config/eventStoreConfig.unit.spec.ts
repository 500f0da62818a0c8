import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('event store configuration', () => {
  it('keeps the ids of a million events in memory unless told otherwise', () => {
    expect(loadConfig({}).EVENTSTORE_ID_CACHE_EVENTS).toBe(1_000_000);
    expect(loadConfig({ EVENTSTORE_ID_CACHE_EVENTS: '250000' }).EVENTSTORE_ID_CACHE_EVENTS).toBe(250_000);
  });

  it('refuses a value out of range, saying what is allowed', () => {
    expect(() => loadConfig({ EVENTSTORE_ID_CACHE_EVENTS: '10' })).toThrow(
      /EVENTSTORE_ID_CACHE_EVENTS=10: must be a whole number of events from 1000 to 100000000/,
    );
  });
});
