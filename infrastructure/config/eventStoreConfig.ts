import { z } from 'zod';

const window = 'must be a whole number of events from 1 to 1000000';

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
  /** how many of a stream's newest events an append searches for repeated event ids */
  EVENTSTORE_IDEMPOTENCY_WINDOW: z
    .string()
    .default('1024')
    .refine((s) => /^\d+$/.test(s.trim()), window)
    .transform((s) => Number(s))
    .pipe(z.number().min(1, window).max(1_000_000, window)),
};
