import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { followStoredEvents } from '../../application/explorer/followStoredEvents.ts';
import { RawEventRecorder } from '../../application/explorer/rawEventRecorder.ts';
import type { RawEventBatch, RawEventIndex } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { createLogger } from '../../infrastructure/logging/createLogger.ts';
import { SqliteRawEventIndex } from '../../infrastructure/sqlite/rawEventIndex/sqliteRawEventIndex.ts';
import { rawLogFor, whenReady } from './adapters.ts';
import { rawEventIndexFor } from './rawEventIndexFor.ts';

export type IndexRequest = { type: 'record'; id: number; batch: RawEventBatch } | { type: 'stop' };
export type IndexReply = { type: 'recorded'; id: number; error?: string } | { type: 'written' } | { type: 'ready' };

/** how long stored events gather before their write: the live explorer shows them after it */
const STORED_FLUSH_MS = 20;
/** the copying connection's page cache: a copy of thousands of rows touches that many index pages */
const COPY_CACHE_KIB = 16_384;

/**
 * The worker-thread side of WorkerRawEventIndexWriter. It owns the index's connection, brings the
 * raw log's stored events in as pending, and writes each batch of mapping outcomes it is sent. With
 * the embedded raw log and a SQLite index, the index copies the log's rows in SQL (nothing parsed
 * here); otherwise it follows the log's `explorer` group, reading and parsing every raw event again.
 */
const port = parentPort;
if (!port) throw new Error('rawEventIndexWorker runs as a worker thread only');
const { config } = workerData as { config: JourneyConfig };
const logger = createLogger(config);
const reply = (message: IndexReply) => port.postMessage(message);
const rawLog = rawLogFor(config);
await whenReady(rawLog);
const embedded = config.NATS_URL === undefined && config.JOURNEY_DATABASE_URL === undefined;
// each write is news for the live explorers of this process (RawEventQueries.follow), which then need not wait for a poll
const written = () => reply({ type: 'written' });
let index: RawEventIndex;
let stopFollowing: () => Promise<void>;
if (embedded) {
  // opening the raw log above made raw.db; from here on this thread only reads it, in the copy
  const sqlite = new SqliteRawEventIndex(join(config.JOURNEY_DATA_DIR, 'rawevents.db'), {
    rawLogFile: join(config.JOURNEY_DATA_DIR, 'raw.db'),
    cacheSizeKiB: COPY_CACHE_KIB,
  });
  index = sqlite;
  await rawLog.close();
  const follower = followStoredEvents(sqlite, {
    flushMs: STORED_FLUSH_MS,
    pollMs: config.JOURNEY_SQLITE_POLL_MS,
    onCopied: written,
    logger,
  });
  stopFollowing = () => follower.stop();
} else {
  const recorder = new RawEventRecorder(
    {
      record: async (batch) => {
        await index.record(batch);
        written();
      },
    },
    { logger, flushMs: STORED_FLUSH_MS },
  );
  index = rawEventIndexFor(config, 'raw-event index');
  const consumer = rawLog.consume({ group: 'explorer' }, (delivery) => recorder.recordStored(delivery.events));
  stopFollowing = async () => {
    await consumer.stop();
    await recorder.flush();
    await rawLog.close();
  };
}

port.on('message', async (message: IndexRequest) => {
  if (message.type === 'stop') {
    await stopFollowing();
    await index.close();
    port.close();
    return;
  }
  try {
    await index.record(message.batch);
    reply({ type: 'recorded', id: message.id });
  } catch (error) {
    reply({ type: 'recorded', id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
reply({ type: 'ready' });
