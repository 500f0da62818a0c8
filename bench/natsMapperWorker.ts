import { MapRawEvents } from '../application/mapping/mapRawEvents.ts';
import { loadRules } from '../infrastructure/config/loadRules.ts';
import { JetStreamRawLog } from '../infrastructure/nats/jetStreamRawLog.ts';
import { SqliteEventStore } from '../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import { benchStreamNames } from './benchJetStream.ts';

/**
 * One mapper process of the NATS mapper bench (`node bin/run.js bench/natsMapperWorker.ts
 * <nats-url> <stream-tag> <group> <events.db>`): the production consume loop (JetStreamRawLog
 * → MapRawEvents with the default rules → SqliteEventStore), started on 'go' from the parent.
 */

export type WorkerMessage = { readonly kind: 'ready' } | { readonly kind: 'stopped'; readonly handled: number };
export type WorkerCommand = { readonly kind: 'go' } | { readonly kind: 'stop' };

const [url, tag, group, file] = process.argv.slice(2);
if (!url || !tag || !group || !file) {
  console.error('usage: node bin/run.js bench/natsMapperWorker.ts <nats-url> <stream-tag> <group> <events.db>');
  process.exit(2);
}
const send = (message: WorkerMessage) => process.send?.(message);

const log = new JetStreamRawLog(url, { ...benchStreamNames(tag), maxAgeMs: 3_600_000, duplicateWindowMs: 3_600_000 });
await log.ready();
const store = new SqliteEventStore(file);
const mapper = new MapRawEvents(store, log, loadRules(undefined));
let handled = 0;
let stopConsumer: (() => Promise<void>) | undefined;

process.on('message', (command: WorkerCommand) => {
  if (command.kind === 'go') {
    const consumer = log.consume({ group }, async (delivery) => {
      await mapper.handle(delivery);
      handled += delivery.events.length;
    });
    stopConsumer = () => consumer.stop();
    return;
  }
  void (async () => {
    await stopConsumer?.();
    await log.close();
    await store.close();
    send({ kind: 'stopped', handled });
    process.disconnect();
  })();
});
send({ kind: 'ready' });
