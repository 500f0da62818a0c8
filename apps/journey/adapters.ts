import { join } from 'node:path';
import type { EventStore } from '../../application/ports/eventStore/eventStore.ts';
import type { DeadLetterQueue } from '../../application/ports/rawLog/deadLetterQueue.ts';
import type { RawLog } from '../../application/ports/rawLog/rawLog.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { EventStoreDbEventStore } from '../../infrastructure/eventstoredb/eventStoreDbEventStore.ts';
import { JetStreamRawLog } from '../../infrastructure/nats/jetStreamRawLog.ts';
import type { NatsAuth } from '../../infrastructure/nats/natsConnection.ts';
import { SqliteEventStore } from '../../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import { SqliteRawLog } from '../../infrastructure/sqlite/rawLog/sqliteRawLog.ts';

/**
 * Which adapter serves each port: embedded SQLite by default, NATS JetStream or EventStoreDB when
 * their settings are present. An adapter that connects asynchronously may expose `ready()`, which
 * start-up awaits so a bad URL fails fast with its message.
 */
export const rawLogFor = (config: JourneyConfig): RawLog & DeadLetterQueue =>
  config.NATS_URL
    ? new JetStreamRawLog(config.NATS_URL, {
        auth: natsAuthOf(config),
        partitions: config.JOURNEY_RAW_PARTITIONS,
        duplicateWindowMs: config.JOURNEY_RAW_DUPLICATE_WINDOW,
        maxAgeMs: config.JOURNEY_RAW_MAX_AGE,
        maxBytes: config.JOURNEY_RAW_MAX_BYTES,
        replicas: config.JOURNEY_RAW_REPLICAS,
        publishTimeoutMs: config.NATS_PUBLISH_TIMEOUT_MS,
      })
    : new SqliteRawLog(join(config.JOURNEY_DATA_DIR, 'raw.db'), { pollIntervalMs: config.JOURNEY_SQLITE_POLL_MS });

/** the NATS credentials and TLS settings of the configuration, for every NATS client of the process */
export const natsAuthOf = (config: JourneyConfig): NatsAuth => ({
  ...(config.NATS_USER === undefined ? {} : { user: config.NATS_USER }),
  ...(config.NATS_PASSWORD === undefined ? {} : { password: config.NATS_PASSWORD }),
  ...(config.NATS_TOKEN === undefined ? {} : { token: config.NATS_TOKEN }),
  ...(config.NATS_CREDS === undefined ? {} : { credsFile: config.NATS_CREDS }),
  ...(config.NATS_TLS_CA === undefined ? {} : { tlsCaFile: config.NATS_TLS_CA }),
});

export const eventStoreFor = (config: JourneyConfig): EventStore =>
  config.EVENTSTORE_CONNECTION_STRING
    ? new EventStoreDbEventStore(config.EVENTSTORE_CONNECTION_STRING, {
        idCacheEvents: config.EVENTSTORE_ID_CACHE_EVENTS,
      })
    : new SqliteEventStore(join(config.JOURNEY_DATA_DIR, 'events.db'), {
        pollIntervalMs: config.JOURNEY_SQLITE_POLL_MS,
      });

/** Awaits an adapter's optional `ready()` (see above). */
export const whenReady = async (adapter: unknown): Promise<void> => {
  const ready = (adapter as { ready?: unknown }).ready;
  if (typeof ready === 'function') await (ready as () => Promise<void>).call(adapter);
};
