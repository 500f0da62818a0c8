import { afterAll, describe, expect, it } from 'vitest';
import { type NatsClusterHarness, startNatsCluster } from '../nats/natsClusterHarness.ts';
import { sleep } from '../sleep.ts';
import { waitUntil } from '../waitUntil.ts';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import { pipelineDrained } from './pipelineDrained.ts';
import {
  announceSeed,
  printFigures,
  runSeed,
  scaled,
  seededRandom,
  strikeMoments,
  timeLimitMs,
} from './reliabilityRun.ts';
import { auditStore } from './storeAudit.ts';

const SUITE = 'nats cluster node killed';

describe('reliability: the JetStream node leading RAW is killed during ingest, restarted and rejoins', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const events = scaled(50_000, 1_000);
  let nats: NatsClusterHarness | undefined;
  let cluster: JourneyCluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
  });

  it(
    `every event that got a 200 is stored exactly once, and the mapper goes on (${events} events, 3 nodes, RAW on 3 replicas)`,
    async () => {
      announceSeed(SUITE, seed);
      const started = Date.now();
      nats = await startNatsCluster(3);
      const servers = nats;
      cluster = await startJourneyCluster({ apps: { collector: 1, mapper: 1 }, natsCluster: servers });
      const running = cluster;
      const perUser = generateEvents(random, `nck${seed}`, events, Math.ceil(events / 20));
      const sent = new Set(perUser.flat().map((e) => e.messageId));
      // by 60 % every sender still has events to send when the node dies
      const [moment = 0.3] = strikeMoments(random, 1);
      const strikeAt = Math.floor(Math.min(moment, 0.6) * events);
      // the senders wait here until the node is back: the last tenth goes to a cluster it has rejoined
      const holdAt = Math.floor(0.9 * events);
      expect(await servers.streamLeader('RAW'), 'RAW has a leader before the strike').toMatch(/^n[123]$/);
      let chaos: Promise<void> | undefined;
      let victim = '';
      let newLeader = '';
      let failoverMs = 0;
      let downMs = 0;
      let rejoinMs = 0;
      let ackedAtRestart = 0;
      let acked = 0;
      const stats = await streamEvents(perUser, {
        url: () => running.url,
        writeKey: WRITE_KEY,
        batchSize: 50,
        concurrency: 4,
        onProgress: async (ackedNow) => {
          acked = ackedNow;
          if (chaos !== undefined && acked >= holdAt) await chaos;
          if (chaos !== undefined || acked < strikeAt) return;
          let killed = () => {};
          const nodeKilled = new Promise<void>((resolve) => {
            killed = resolve;
          });
          chaos = (async () => {
            victim = (await servers.streamLeader('RAW')) ?? '';
            const node = servers.node(victim);
            await node.kill();
            killed();
            const killedAt = Date.now();
            await waitUntil(
              'another node to lead RAW',
              async () => {
                newLeader = (await servers.streamLeader('RAW')) ?? '';
                return newLeader !== '' && newLeader !== victim;
              },
              { timeoutMs: 60_000, intervalMs: 50 },
            );
            failoverMs = Date.now() - killedAt;
            // down a while longer, so that the cluster runs on two nodes under load
            await sleep(random.int(1_000, 2_000));
            ackedAtRestart = acked;
            const restartedAt = Date.now();
            await node.restart();
            downMs = restartedAt - killedAt;
            // rejoined: the leader counts its replica as current again, caught up on what it missed
            await waitUntil(
              `${victim} to rejoin RAW as a current replica`,
              async () =>
                (await servers.streamReplicas('RAW')).some((r) => r.name === victim && r.current) ||
                (await servers.streamLeader('RAW')) === victim,
              { timeoutMs: 60_000, intervalMs: 50 },
            );
            rejoinMs = Date.now() - restartedAt;
          })();
          // this sender's next request goes out once the leader is gone, so ingest meets the failover
          await Promise.race([nodeKilled, chaos]);
        },
      });
      await chaos;
      const drained = await pipelineDrained(running, stats.acked.size, { timeoutMs: timeLimitMs(90_000, 300_000) });
      // every replica, the rejoined one too, holds the whole stream at the end
      let replicas: Awaited<ReturnType<typeof servers.streamReplicas>> = [];
      await waitUntil(
        'both followers of RAW (the rejoined node among the three) current with no lag',
        async () => {
          replicas = await servers.streamReplicas('RAW');
          return replicas.length === 2 && replicas.every((r) => r.current && r.lag === 0);
        },
        { timeoutMs: 60_000, intervalMs: 100, lastSeen: () => replicas },
      );
      const audit = auditStore(running.dataDir, sent, stats.acked);
      const mapper = running.process('mapper');
      printFigures(SUITE, {
        'events sent': sent.size,
        acknowledged: stats.acked.size,
        'killed node': victim,
        'new RAW leader': newLeader,
        'ms until a new leader': failoverMs,
        'ms down (kill to restart)': downMs,
        'ms from restart to a current replica': rejoinMs,
        'acknowledged at the restart': ackedAtRestart,
        'acknowledged after the restart': stats.acked.size - ackedAtRestart,
        'refused (503)': stats.refusals['503'] ?? 0,
        'refused (network)': stats.refusals.network ?? 0,
        lost: audit.lost.length,
        duplicated: audit.duplicated.length,
        'wall s': Math.round((Date.now() - started) / 1000),
      });
      expect(chaos, 'the stream leader was killed during ingest').toBeDefined();
      expect(victim).toMatch(/^n[123]$/);
      expect(newLeader).not.toBe(victim);
      expect(servers.nodes.every((n) => n.running())).toBe(true);
      // the restart came while events were still being sent, and more were acknowledged after it
      expect(ackedAtRestart).toBeLessThan(sent.size);
      expect(running.unexpectedExits()).toEqual([]);
      // the mapper rode the failover out: started once, still running, and drained the log
      expect([mapper.starts, mapper.running]).toEqual([1, true]);
      // requests in flight to the dying leader were refused and sent again
      expect(stats.refusals['503'] ?? 0).toBeGreaterThan(0);
      expect(drained, 'the mapper drained the raw log').toBe(true);
      expect(stats.acked.size).toBe(sent.size);
      expect(audit.lost.slice(0, 10)).toEqual([]);
      expect(audit.duplicated.slice(0, 10)).toEqual([]);
      expect(audit.unknown.slice(0, 10)).toEqual([]);
      expect(audit.journeyEvents).toBe(sent.size);
    },
    timeLimitMs(240_000, 900_000),
  );
});
