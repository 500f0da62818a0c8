import { join } from 'node:path';
import type { EventStore } from '../../application/eventStore.ts';
import type { RawLog } from '../../application/rawLog.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { EventStoreDbEventStore } from '../../infrastructure/eventstoredb/eventStoreDbEventStore.ts';
import { SqliteEventStore } from '../../infrastructure/sqlite/sqliteEventStore.ts';
import { SqliteRawLog } from '../../infrastructure/sqlite/sqliteRawLog.ts';

/**
 * Which adapter serves each port, from the configuration. The embedded SQLite adapters are
 * the default; distributed ones (NATS JetStream, EventStoreDB) are chosen here when their
 * connection settings are present. Adapters that connect asynchronously may expose
 * `ready(): Promise<void>`, which start-up awaits so a bad URL fails fast with its message.
 */
export const rawLogFor = (config: JourneyConfig): RawLog =>
  new SqliteRawLog(join(config.JOURNEY_DATA_DIR, 'raw.db'), { pollIntervalMs: config.JOURNEY_SQLITE_POLL_MS });

export const eventStoreFor = (config: JourneyConfig): EventStore =>
  config.EVENTSTORE_CONNECTION_STRING
    ? new EventStoreDbEventStore(config.EVENTSTORE_CONNECTION_STRING, {
        idempotencyWindow: config.EVENTSTORE_IDEMPOTENCY_WINDOW,
      })
    : new SqliteEventStore(join(config.JOURNEY_DATA_DIR, 'events.db'), {
        pollIntervalMs: config.JOURNEY_SQLITE_POLL_MS,
      });

/** Awaits an adapter's optional `ready()` (see above). */
export const whenReady = async (adapter: unknown): Promise<void> => {
  const ready = (adapter as { ready?: unknown }).ready;
  if (typeof ready === 'function') await (ready as () => Promise<void>).call(adapter);
};
