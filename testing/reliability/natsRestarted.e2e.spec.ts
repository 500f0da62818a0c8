import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../sleep.ts';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import { pipelineDrained } from './pipelineDrained.ts';
import {
  announceSeed,
  isFullScale,
  printFigures,
  runSeed,
  scaled,
  seededRandom,
  strikeMoments,
  timeLimitMs,
} from './reliabilityRun.ts';
import { auditStore } from './storeAudit.ts';

const SUITE = 'nats-server restarts';

describe('reliability: nats-server is killed and restarted during ingest', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const events = scaled(20_000, 800);
  const restarts = isFullScale ? 3 : 1;
  let cluster: JourneyCluster | undefined;
  afterAll(async () => cluster?.stop());

  it(
    `every event that got a 200 is stored, and exactly once (${events} events, ${restarts} restarts)`,
    async () => {
      announceSeed(SUITE, seed);
      const started = Date.now();
      cluster = await startJourneyCluster({ apps: { collector: 1, mapper: 1 } });
      const running = cluster;
      const perUser = generateEvents(random, `nr${seed}`, events, Math.ceil(events / 20));
      const sent = new Set(perUser.flat().map((e) => e.messageId));
      // by 70 % at the latest: the sender that strikes must still have batches to send into the outage
      const moments = strikeMoments(random, restarts).map((f) => Math.floor(Math.min(f, 0.7) * events));
      let chaos = Promise.resolve();
      let outages = 0;
      const stats = await streamEvents(perUser, {
        url: () => running.url,
        writeKey: WRITE_KEY,
        batchSize: 50,
        concurrency: 4,
        onProgress: async (acked) => {
          while (moments.length > 0 && acked >= (moments[0] ?? 0)) {
            moments.shift();
            // longer than the collector's publish timeout (1 s), so requests meet the outage
            const downMs = random.int(1_500, 3_000);
            // this sender waits for the kill, so its next request meets the outage even when the
            // others have sent their last batches by then (a small run is over in a second)
            await chaos;
            await running.nats.kill();
            outages++;
            chaos = sleep(downMs).then(() => running.nats.restart());
          }
        },
      });
      await chaos;
      const drained = await pipelineDrained(running, stats.acked.size, { timeoutMs: timeLimitMs(60_000, 300_000) });
      const audit = auditStore(running.dataDir, sent, stats.acked);
      printFigures(SUITE, {
        'events sent': sent.size,
        acknowledged: stats.acked.size,
        'nats restarts': outages,
        'refused (503)': stats.refusals['503'] ?? 0,
        'refused (network)': stats.refusals.network ?? 0,
        lost: audit.lost.length,
        duplicated: audit.duplicated.length,
        'wall s': Math.round((Date.now() - started) / 1000),
      });
      expect(running.unexpectedExits()).toEqual([]);
      expect(outages).toBe(restarts);
      // the outages met requests: some were refused, and sent again
      expect(stats.refusals['503'] ?? 0).toBeGreaterThan(0);
      expect(drained, 'the mapper drained the raw log').toBe(true);
      expect(stats.acked.size).toBe(sent.size);
      expect(audit.lost.slice(0, 10)).toEqual([]);
      expect(audit.duplicated.slice(0, 10)).toEqual([]);
      expect(audit.unknown.slice(0, 10)).toEqual([]);
      expect(audit.journeyEvents).toBe(sent.size);
    },
    timeLimitMs(150_000, 900_000),
  );
});
