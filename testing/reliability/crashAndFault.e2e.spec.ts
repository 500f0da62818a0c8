import { afterAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../slack/fakeSlack.ts';
import { sleep } from '../sleep.ts';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import { PROJECTIONS, pipelineDrained, rebuiltReadModelHashes } from './pipelineDrained.ts';
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
import { auditReadModels, auditStore, hashReadModels } from './storeAudit.ts';

const SUITE = 'crash and fault';
const VICTIMS = ['collector', 'mapper', 'mapper-2', 'projector', 'alerter'] as const;

const countsOf = (keys: readonly string[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
};

describe('reliability: kill -9 of random processes and a nats-server restart while events stream in', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const events = scaled(100_000, 2_000);
  const kills = isFullScale ? 15 : 4;
  let cluster: JourneyCluster | undefined;
  let slack: FakeSlack | undefined;
  afterAll(async () => {
    await cluster?.stop();
    await slack?.close();
  });

  it(
    `nothing acknowledged is lost, nothing counted or alerted twice, read models equal a rebuild (${events} events, ${kills} kills)`,
    async () => {
      announceSeed(SUITE, seed);
      const started = Date.now();
      slack = await startFakeSlack();
      const posted = slack;
      cluster = await startJourneyCluster({
        apps: { collector: 1, mapper: 2, projector: 1, alerter: 1 },
        slack,
      });
      const running = cluster;
      const phases: Record<string, number> = {};
      let phaseStart = started;
      const phase = (name: string) => {
        phases[name] = Math.round((Date.now() - phaseStart) / 100) / 10;
        phaseStart = Date.now();
      };
      phase('start s');
      const users = Math.ceil(events / 20);
      const perUser = generateEvents(random, `cf${seed}`, events, users);
      const sent = new Set(perUser.flat().map((e) => e.messageId));
      // the kills, and one nats-server restart among them
      const strikes: string[] = Array.from({ length: kills }, () => random.pick(VICTIMS));
      strikes.splice(random.int(0, strikes.length), 0, 'nats-server');
      const moments = strikeMoments(random, strikes.length).map((f) => Math.floor(f * events));
      process.stdout.write(`[reliability] ${SUITE}: strikes in order: ${strikes.join(', ')}\n`);
      // Each strike lands at its moment: an app's strikes wait only for that app's previous
      // restart (one strike after another across all apps made the later ones queue up behind
      // restarts and land after the stream had ended). An app cannot start while nats-server
      // is down, so a restart waits for the server to be back, and the server's restart waits
      // for the apps that are starting at that moment.
      const lanes = new Map<string, Promise<void>>();
      const starting = new Set<Promise<void>>();
      let natsLane = Promise.resolve();
      let streaming = true;
      let struckAfterStream = 0;
      const strike = (victim: string, downMs: number) => {
        const down = async () => {
          if (!streaming) struckAfterStream++;
          await sleep(downMs);
        };
        if (victim === 'nats-server') {
          natsLane = natsLane.then(async () => {
            await Promise.all(starting);
            await running.nats.kill();
            await down();
            await running.nats.restart();
          });
          return;
        }
        const app = running.process(victim);
        lanes.set(
          victim,
          (lanes.get(victim) ?? Promise.resolve()).then(async () => {
            await app.kill();
            await down();
            await natsLane;
            const started = app.start();
            starting.add(started);
            try {
              await started;
            } finally {
              starting.delete(started);
            }
          }),
        );
      };
      const stats = await streamEvents(perUser, {
        url: () => running.url,
        writeKey: WRITE_KEY,
        batchSize: 100,
        concurrency: 4,
        onProgress: (acked) => {
          while (moments.length > 0 && acked >= (moments[0] ?? 0)) {
            moments.shift();
            strike(strikes.shift() ?? 'nats-server', random.int(0, 1_500));
          }
        },
      });
      streaming = false;
      await Promise.all([natsLane, ...lanes.values()]);
      phase('stream s');
      const drained = await pipelineDrained(running, stats.acked.size, {
        timeoutMs: timeLimitMs(90_000, 600_000),
        projections: PROJECTIONS,
      });
      phase('drain s');
      const expectedKeys = perUser.map((list) => `signup:${list[0]?.userId}`);
      const deadline = Date.now() + timeLimitMs(60_000, 300_000);
      while (new Set(posted.keysPosted()).size < expectedKeys.length && Date.now() < deadline) await sleep(250);
      // a second message for a key would come from a retry or a restarted alerter: give it time
      await sleep(1_000);
      phase('alerts s');
      const restarts = Object.fromEntries(VICTIMS.map((v) => [v, running.process(v).starts - 1]));
      await Promise.all([...running.processes.values()].map((p) => p.stop()));

      const audit = auditStore(running.dataDir, sent, stats.acked);
      const readModels = auditReadModels(running.dataDir, audit.eventIds);
      const live = hashReadModels(running.dataDir);
      const rebuilt = await rebuiltReadModelHashes(running.dataDir, running.env());
      phase('audit and rebuild s');
      const perKey = countsOf(posted.keysPosted());
      const twice = [...perKey].filter(([, n]) => n > 1).map(([k]) => k);
      printFigures(SUITE, {
        'events sent': sent.size,
        acknowledged: stats.acked.size,
        kills: Object.values(restarts).reduce((a, b) => a + b, 0),
        'restarts by app': JSON.stringify(restarts).replace(/"/g, ''),
        'nats restarts': 1,
        'strikes after the stream ended': struckAfterStream,
        'refused (503)': stats.refusals['503'] ?? 0,
        'refused (network)': stats.refusals.network ?? 0,
        lost: audit.lost.length,
        duplicated: audit.duplicated.length,
        'slack messages': posted.messages.length,
        'alert keys posted twice': twice.length,
        'wall s': Math.round((Date.now() - started) / 1000),
        ...phases,
      });
      expect(running.unexpectedExits()).toEqual([]);
      expect(drained, 'the mappers and projections caught up').toBe(true);
      expect(stats.acked.size).toBe(sent.size);
      expect(audit.lost.slice(0, 10)).toEqual([]);
      expect(audit.duplicated.slice(0, 10)).toEqual([]);
      expect(audit.unknown.slice(0, 10)).toEqual([]);
      expect(audit.outOfOrder.slice(0, 10)).toEqual([]);
      expect(audit.journeyEvents).toBe(sent.size);
      expect(readModels).toEqual({
        timelineEvents: sent.size,
        notInTimeline: 0,
        extraInTimeline: 0,
        usersEventCount: sent.size,
      });
      expect(live).toEqual(rebuilt);
      expect(twice).toEqual([]);
      expect([...perKey.keys()].sort()).toEqual([...expectedKeys].sort());
    },
    timeLimitMs(240_000, 1_800_000),
  );
});
