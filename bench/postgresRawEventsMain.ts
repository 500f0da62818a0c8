import type { RawEventOutcome } from '../application/ports/rawEventIndex/rawEventIndex.ts';
import type { IngestedEvent } from '../domain/raw/rawEvent.ts';
import { PostgresRawEventIndex } from '../infrastructure/postgres/rawEventIndex/postgresRawEventIndex.ts';
import { migratedDatabase } from '../testing/postgres/migratedDatabase.ts';
import { startPostgresServer } from '../testing/postgres/postgresServer.ts';

/**
 * `node bin/run.js bench/postgresRawEventsMain.ts [--events N]`: the explorer's index in a private
 * PostgreSQL (fsync on), written as the recorder writes it (1,000 events stored, then their
 * outcomes), then one user's newest 50 asked 1,000 times after 1,000 to warm; 200 events a user,
 * 1,000,000 events unless told. Prints the write per batch and the page, p50 / p99 in ms.
 */
const at = process.argv.indexOf('--events');
const events = at === -1 ? 1_000_000 : Number(process.argv[at + 1]);
if (!Number.isInteger(events) || events < 1_000)
  throw new Error('--events takes a whole number of at least 1000 raw events, e.g. --events 200000');
const users = Math.floor(events / 200);
const T0 = Date.parse('2026-04-01T00:00:00.000Z');
const eventOf = (i: number): IngestedEvent =>
  ({
    messageId: `m-${i}`,
    userId: `user-${i % users}`,
    timestamp: new Date(T0 + i * 1_000).toISOString(),
    receivedAt: new Date(T0 + i * 1_000).toISOString(),
    type: 'track',
    event: 'Element Clicked',
    properties: { selector: '#buy', text: 'Buy now' },
  }) as IngestedEvent;
const percentiles = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => (sorted[Math.floor((p / 100) * (sorted.length - 1))] ?? 0).toFixed(2);
  return `${at(50)} / ${at(99)} ms`;
};
const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await run();
  return performance.now() - t;
};

const server = await startPostgresServer({ durable: true });
try {
  const { pool } = await migratedDatabase(server, { poolSize: 4 });
  const index = new PostgresRawEventIndex(pool);
  const writes: number[] = [];
  for (let from = 0; from + 1_000 <= events; from += 1_000) {
    const batch = Array.from({ length: 1_000 }, (_, k) => eventOf(from + k));
    const outcomes = batch.map((event): RawEventOutcome => ({ event, status: 'unmapped', journeyEvents: [] }));
    writes.push(await timed(() => index.record({ stored: batch })));
    writes.push(await timed(() => index.record({ outcomes })));
  }
  await pool.query('ANALYZE journey.raw_event_index');
  const pages: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const took = await timed(() => index.query({ userId: `user-${(i * 7_919) % users}` }, { limit: 50 }));
    if (i >= 1_000) pages.push(took);
  }
  console.log(`${events.toLocaleString('en-US')} raw events, ${users.toLocaleString('en-US')} users`);
  console.log(`write of 1,000 (stored, or their outcomes), p50 / p99: ${percentiles(writes)}`);
  console.log(`one user's newest 50, p50 / p99: ${percentiles(pages)}`);
  await index.close();
  await pool.end();
} finally {
  await server.stop();
}
