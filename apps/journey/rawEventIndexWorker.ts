import { parentPort, workerData } from 'node:worker_threads';
import { RawEventRecorder } from '../../application/explorer/rawEventRecorder.ts';
import type { RawEventBatch } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { createLogger } from '../../infrastructure/logging/createLogger.ts';
import { rawLogFor, whenReady } from './adapters.ts';
import { rawEventIndexFor } from './rawEventIndexFor.ts';

export type IndexRequest = { type: 'record'; id: number; batch: RawEventBatch } | { type: 'stop' };
export type IndexReply = { type: 'recorded'; id: number; error?: string } | { type: 'written' } | { type: 'ready' };

/** how long stored events gather before their write: the live explorer shows them after it */
const STORED_FLUSH_MS = 20;

/**
 * The worker-thread side of WorkerRawEventIndexWriter. It owns the index's connection, follows the
 * raw log's `explorer` group itself (reading and parsing every raw event once more, which is why it
 * is here and not beside the mapper) and writes each batch of mapping outcomes it is sent.
 */
const port = parentPort;
if (!port) throw new Error('rawEventIndexWorker runs as a worker thread only');
const { config } = workerData as { config: JourneyConfig };
const logger = createLogger(config);
const index = rawEventIndexFor(config, 'raw-event index');
const rawLog = rawLogFor(config);
await whenReady(rawLog);
const reply = (message: IndexReply) => port.postMessage(message);
// each write is news for the live explorers of this process (RawEventQueries.follow), which then need not wait for a poll
const recorder = new RawEventRecorder(
  {
    record: async (batch) => {
      await index.record(batch);
      reply({ type: 'written' });
    },
  },
  { logger, flushMs: STORED_FLUSH_MS },
);
const consumer = rawLog.consume({ group: 'explorer' }, (delivery) => recorder.recordStored(delivery.events));

port.on('message', async (message: IndexRequest) => {
  if (message.type === 'stop') {
    await consumer.stop();
    await recorder.flush();
    await rawLog.close();
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
