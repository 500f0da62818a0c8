import { z } from 'zod';

const cacheSize = 'must be a whole number of events from 1000 to 100000000';

/**
 * Configuration of the EventStoreDB adapter: zod fields merged into the one config
 * schema. Without a connection string the embedded SQLite event store is used.
 */
export const eventStoreConfigShape = {
  /** e.g. esdb://127.0.0.1:2113?tls=false (insecure server) or esdb://admin:changeit@host:2113 */
  EVENTSTORE_CONNECTION_STRING: z
    .string()
    .regex(
      /^esdb(\+discover)?:\/\/\S+$/,
      'must be an EventStoreDB connection string such as esdb://127.0.0.1:2113?tls=false',
    )
    .optional(),
  /** how many events' ids the appending process keeps in memory over all streams (17–34 bytes each) */
  EVENTSTORE_ID_CACHE_EVENTS: z
    .string()
    .default('1000000')
    .refine((s) => /^\d+$/.test(s.trim()), cacheSize)
    .transform((s) => Number(s))
    .pipe(z.number().min(1_000, cacheSize).max(100_000_000, cacheSize)),
};
