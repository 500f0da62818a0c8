import { ANY, type EventStore } from '../application/ports/eventStore/eventStore.ts';
import { JOURNEY_STREAM_PREFIX } from '../domain/journey/journeyEvent.ts';
import { EventStoreDbEventStore } from '../infrastructure/eventstoredb/eventStoreDbEventStore.ts';
import { SqliteEventStore } from '../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import { EsdbEmulator } from '../testing/eventstoredb/emulator/esdbEmulator.ts';
import type { JourneyDelivery } from './eventFactory.ts';
import type { Figure } from './report.ts';
import { perSecond, settle, summarize } from './stats.ts';
import { removeDatabase, type TempFiles } from './tempFiles.ts';

type Throughput = { readonly append: number; readonly catchUp: number };

/** appends as the mapper does (a delivery's streams at once, ANY), then catches up on them all */
const measure = async (store: EventStore, deliveries: readonly JourneyDelivery[]): Promise<Throughput> => {
  let count = 0;
  const appendStart = performance.now();
  for (const delivery of deliveries) {
    await Promise.all(
      [...delivery].map(([streamId, events]) => {
        count += events.length;
        return store.append(streamId, events, { expectedRevision: ANY });
      }),
    );
  }
  const append = perSecond(count, appendStart, performance.now());
  const catchUpStart = performance.now();
  const subscription = store.subscribeAll({ streamPrefix: JOURNEY_STREAM_PREFIX });
  let seen = 0;
  for await (const batch of subscription) {
    seen += batch.length;
    if (seen >= count) break;
  }
  const catchUp = perSecond(seen, catchUpStart, performance.now());
  await subscription.close();
  return { append, catchUp };
};

/**
 * The EventStoreDB adapter through the real client against the in-process emulator, beside SQLite on
 * the same events: mostly the adapter's and the client's price (protobuf, HTTP/2, the idempotency
 * read), not a real server's throughput. No target.
 */
export const eventStoreDbFigures = async (
  files: TempFiles,
  deliveries: readonly JourneyDelivery[],
  runs: number,
  log: (message: string) => void = () => undefined,
): Promise<Figure[]> => {
  const esdb: Throughput[] = [];
  const sqlite: Throughput[] = [];
  for (let round = 1; round <= runs; round++) {
    log(`eventstoredb round ${round}/${runs}: SQLite adapter`);
    const file = files.file('esdb-beside.db');
    const local = new SqliteEventStore(file);
    sqlite.push(await measure(local, deliveries));
    await local.close();
    await removeDatabase(file);
    await settle();
    log(`eventstoredb round ${round}/${runs}: EventStoreDB adapter on the emulator`);
    const emulator = await EsdbEmulator.start();
    const remote = new EventStoreDbEventStore(emulator.connectionString);
    try {
      await remote.ready();
      esdb.push(await measure(remote, deliveries));
    } finally {
      await remote.close();
      await emulator.stop();
    }
    await settle();
  }
  const figure = (kind: keyof Throughput, label: string, baseline: string): Figure => ({
    id: `eventstoredb-${kind}`,
    label,
    unit: 'events/s',
    value: summarize(esdb.map((t) => t[kind])),
    baseline: { label: baseline, value: summarize(sqlite.map((t) => t[kind])) },
  });
  return [
    figure('append', 'EventStoreDB adapter append (emulator, real client)', 'SQLite adapter append'),
    figure('catchUp', 'EventStoreDB adapter catch-up (emulator, real client)', 'SQLite adapter catch-up'),
  ];
};
