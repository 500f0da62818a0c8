import { afterAll, describe, expect, it } from 'vitest';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import { pipelineDrained } from './pipelineDrained.ts';
import { announceSeed, printFigures, runSeed, scaled, seededRandom, timeLimitMs } from './reliabilityRun.ts';
import { auditStore } from './storeAudit.ts';

const SUITE = 'two mappers';

describe('reliability: two mapper processes share the raw log', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const events = scaled(20_000, 800);
  let cluster: JourneyCluster | undefined;
  afterAll(async () => cluster?.stop());

  it(
    `each user's events are stored in the order they were sent, none twice (${events} events)`,
    async () => {
      announceSeed(SUITE, seed);
      const started = Date.now();
      cluster = await startJourneyCluster({ apps: { collector: 1, mapper: 2 } });
      const running = cluster;
      // few users with many events each: order has many chances to break
      const perUser = generateEvents(random, `tm${seed}`, events, Math.ceil(events / 100));
      const sent = new Set(perUser.flat().map((e) => e.messageId));
      const stats = await streamEvents(perUser, {
        url: () => running.url,
        writeKey: WRITE_KEY,
        batchSize: 50,
        concurrency: 4,
      });
      const drained = await pipelineDrained(running, stats.acked.size, { timeoutMs: timeLimitMs(60_000, 300_000) });
      const audit = auditStore(running.dataDir, sent, stats.acked);
      printFigures(SUITE, {
        'events sent': sent.size,
        users: perUser.length,
        'out of order': audit.outOfOrder.length,
        lost: audit.lost.length,
        duplicated: audit.duplicated.length,
        'wall s': Math.round((Date.now() - started) / 1000),
      });
      expect(running.unexpectedExits()).toEqual([]);
      expect(drained, 'the mappers drained the raw log').toBe(true);
      expect(audit.outOfOrder).toEqual([]);
      expect(audit.lost.slice(0, 10)).toEqual([]);
      expect(audit.duplicated.slice(0, 10)).toEqual([]);
      expect(audit.journeyEvents).toBe(sent.size);
    },
    timeLimitMs(120_000, 900_000),
  );
});
