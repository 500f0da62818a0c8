import { jetstreamManager } from '@nats-io/jetstream';
import type { PublishReceipt, RawLog } from '../application/ports/rawLog/rawLog.ts';
import type { IngestedEvent } from '../domain/raw/rawEvent.ts';
import { JetStreamRawLog } from '../infrastructure/nats/jetStreamRawLog.ts';
import { connectNats } from '../infrastructure/nats/natsConnection.ts';
import type { RawStreamNames } from '../infrastructure/nats/rawStreams.ts';
import { PerEventJetStreamRawLog } from './perEventJetStreamRawLog.ts';

export type BenchJetStream = {
  readonly log: RawLog;
  /** closes the log, deletes its streams and says what JetStream acknowledged */
  finish(): Promise<{ readonly stored: number; readonly messages: number }>;
};

/** per-process stream names, so a run never sees a previous run's messages */
export const benchStreamNames = (tag: string, partitions = 8): RawStreamNames => ({
  stream: `BENCH_${tag}`,
  deadLetterStream: `BENCH_${tag}_REJECTED`,
  subjectRoot: `bench${tag}`,
  partitions,
});

/**
 * The ingest bench server's raw log on JetStream: the production adapter (grouped) or the
 * naive per-event baseline, on streams of its own. `stored` counts the events JetStream
 * acknowledged as new, as the receipts said; `messages` is the stream's own count.
 */
export const openBenchJetStream = async (
  mode: 'jetstream' | 'jetstream-per-event',
  url: string,
): Promise<BenchJetStream> => {
  const names = benchStreamNames(`${mode === 'jetstream' ? 'G' : 'E'}${process.pid}`);
  let inner: RawLog;
  if (mode === 'jetstream') {
    const grouped = new JetStreamRawLog(url, { ...names, maxAgeMs: 3_600_000, duplicateWindowMs: 3_600_000 });
    await grouped.ready();
    inner = grouped;
  } else inner = await PerEventJetStreamRawLog.open(url, names);
  let stored = 0;
  const log: RawLog = {
    publish: async (events: readonly IngestedEvent[]): Promise<PublishReceipt> => {
      const receipt = await inner.publish(events);
      stored += receipt.stored;
      return receipt;
    },
    consume: (options, handler) => inner.consume(options, handler),
    reject: (items) => inner.reject(items),
    listRejected: (options) => inner.listRejected(options),
    pending: (group) => inner.pending(group),
    close: () => inner.close(),
  };
  return {
    log,
    finish: async () => {
      await inner.close();
      const nc = await connectNats(url);
      try {
        const jsm = await jetstreamManager(nc);
        const { state } = await jsm.streams.info(names.stream);
        await jsm.streams.delete(names.stream);
        await jsm.streams.delete(names.deadLetterStream);
        return { stored, messages: state.messages };
      } finally {
        await nc.close();
      }
    },
  };
};
