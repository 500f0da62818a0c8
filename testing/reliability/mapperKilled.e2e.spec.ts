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

const SUITE = 'mapper SIGKILL';

describe('reliability: the mapper is killed with SIGKILL at random points while events stream in', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const events = scaled(20_000, 800);
  const kills = isFullScale ? 6 : 2;
  let cluster: JourneyCluster | undefined;
  afterAll(async () => cluster?.stop());

  it(
    `every acknowledged event is in the store exactly once (${events} events, ${kills} kills)`,
    async () => {
      announceSeed(SUITE, seed);
      const started = Date.now();
      cluster = await startJourneyCluster({ apps: { collector: 1, mapper: 1 } });
      const running = cluster;
      const mapper = running.process('mapper');
      const upAt = Date.now();
      const perUser = generateEvents(random, `mk${seed}`, events, Math.ceil(events / 20));
      const sent = new Set(perUser.flat().map((e) => e.messageId));
      const moments = strikeMoments(random, kills).map((f) => Math.floor(f * events));
      let chaos = Promise.resolve();
      const stats = await streamEvents(perUser, {
        url: () => running.url,
        writeKey: WRITE_KEY,
        batchSize: 50,
        concurrency: 4,
        onProgress: (acked) => {
          while (moments.length > 0 && acked >= (moments[0] ?? 0)) {
            moments.shift();
            const downMs = random.int(0, 1_000);
            chaos = chaos.then(async () => {
              await mapper.kill();
              await sleep(downMs);
              await mapper.start();
            });
          }
        },
      });
      await chaos;
      const streamedAt = Date.now();
      const drained = await pipelineDrained(running, stats.acked.size, { timeoutMs: timeLimitMs(60_000, 300_000) });
      const audit = auditStore(running.dataDir, sent, stats.acked);
      printFigures(SUITE, {
        'events sent': sent.size,
        acknowledged: stats.acked.size,
        kills: mapper.starts - 1,
        lost: audit.lost.length,
        duplicated: audit.duplicated.length,
        'start s': Math.round((upAt - started) / 1000),
        'stream s': Math.round((streamedAt - upAt) / 1000),
        'wall s': Math.round((Date.now() - started) / 1000),
      });
      expect(running.unexpectedExits()).toEqual([]);
      expect(drained, 'the mapper drained the raw log').toBe(true);
      expect(stats.acked.size).toBe(sent.size);
      expect(mapper.starts - 1).toBe(kills);
      expect(audit.lost.slice(0, 10)).toEqual([]);
      expect(audit.duplicated.slice(0, 10)).toEqual([]);
      expect(audit.unknown.slice(0, 10)).toEqual([]);
      expect(audit.journeyEvents).toBe(sent.size);
    },
    timeLimitMs(150_000, 900_000),
  );
});
