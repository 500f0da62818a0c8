import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgresServer } from '../postgres/postgresServer.ts';
import { type FakeSlack, startFakeSlack } from '../slack/fakeSlack.ts';
import { sleep } from '../sleep.ts';
import { waitUntil } from '../waitUntil.ts';
import { probeApi } from './apiProbe.ts';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { API_TOKEN, type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import { pipelineDrained } from './pipelineDrained.ts';
import { auditPostgresReadSide, commitOf, postgresCheckpoints } from './postgresReadSideAudit.ts';
import {
  announceSeed,
  isFullScale,
  printFigures,
  runSeed,
  scaled,
  seededRandom,
  timeLimitMs,
} from './reliabilityRun.ts';
import { auditStore } from './storeAudit.ts';

const SUITE = 'PostgreSQL restarts';
const PROJECTIONS = ['users', 'timeline', 'alerts'] as const;

/** the commit number of the newest journey event in the store, as the checkpoints hold it */
const storeHead = (cluster: JourneyCluster): number => commitOf(auditStore(cluster.dataDir, new Set(), new Set()).head);

/** waits until every projection's checkpoint in PostgreSQL is at `head` or later; fails with them and Journey's output */
const catchUp = async (cluster: JourneyCluster, url: string, head: number, what: string): Promise<void> => {
  let checkpoints: Record<string, number> | string = {};
  await waitUntil(
    what,
    async () => {
      const seen = await postgresCheckpoints(url).catch((e: Error) => e.message);
      checkpoints = seen;
      return typeof seen !== 'string' && PROJECTIONS.every((p) => (seen[p] ?? -1) >= head);
    },
    {
      timeoutMs: timeLimitMs(90_000, 600_000),
      intervalMs: 100,
      lastSeen: () => ({
        head,
        checkpoints,
        output: [...cluster.processes.values()].map((p) => `${p.name}: ${p.output().slice(-3_000)}`),
      }),
    },
  );
};

const projectedUsers = async (url: string): Promise<string[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ user_id: string }>('SELECT user_id FROM journey.users LIMIT 20');
    return rows.map((r) => r.user_id);
  } finally {
    await client.end();
  }
};

/**
 * Journey with its read models and alerts in PostgreSQL (the event store and raw log in
 * SQLite), as `journey start` and as separate processes: the database is stopped as a crash
 * would stop it while events stream in, and started again. Journey must not be restarted:
 * the projections, the API and the alerter reconnect by themselves and resume from their
 * checkpoints.
 */
describe.each([
  { layout: 'journey start', apps: { start: 1 } },
  { layout: 'separate processes', apps: { collector: 1, mapper: 1, projector: 1, api: 1, alerter: 1 } },
])('reliability: PostgreSQL is killed and restarted while events stream in ($layout)', ({ layout, apps }) => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const events = scaled(20_000, 1_000);
  const restarts = isFullScale ? 3 : 1;
  let database: PostgresServer | undefined;
  let slack: FakeSlack | undefined;
  let cluster: JourneyCluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
    await database?.stop();
    await slack?.close();
  });

  it(
    `the read side catches up with nothing lost or applied twice; meanwhile the API answers right or 503 (${events} events, ${restarts} restarts)`,
    async () => {
      announceSeed(`${SUITE} (${layout})`, seed);
      const started = Date.now();
      // durable: an immediate stop then loses no commit, as with a production server
      database = await startPostgresServer({ durable: true });
      const db = database;
      slack = await startFakeSlack();
      const posted = slack;
      cluster = await startJourneyCluster({
        apps,
        nats: false,
        slack,
        env: { JOURNEY_DATABASE_URL: db.url },
      });
      const running = cluster;
      const runId = `pr${seed}`;
      const perUser = generateEvents(random, runId, events, Math.ceil(events / 20));
      const sent = new Set(perUser.flat().map((e) => e.messageId));
      // between a fifth and two thirds of the way: events stream in before, during and after
      const moments = Array.from({ length: restarts }, (_, i) =>
        Math.floor(events * (0.2 + (0.45 * (i + random.next())) / restarts)),
      );
      type Phase = 'running' | 'outage' | 'restarting';
      let probe: ReturnType<typeof probeApi<Phase>> | undefined;
      let acked = 0;
      let streaming = true;
      const catchUpMs: number[] = [];
      const downMs: number[] = [];
      const ackedDuringOutage: number[] = [];
      let chaos = Promise.resolve();
      // the senders wait while a kill is under way, so that the stream cannot end before it
      let killing: Promise<void> | undefined;
      const strike = () => {
        let killed = () => {};
        killing = new Promise((resolve) => {
          killed = resolve;
        });
        chaos = chaos
          .then(async () => {
            if (!probe) {
              await waitUntil(
                'a projected user to ask the API about',
                async () => (await projectedUsers(db.url)).length > 0,
                {
                  timeoutMs: timeLimitMs(60_000, 300_000),
                  intervalMs: 100,
                },
              );
              probe = probeApi<Phase>({
                url: () => running.apiUrl,
                dataDir: running.dataDir,
                users: await projectedUsers(db.url),
                search: `${runId}-u1`,
                phase: 'running',
              });
            }
            const within = probe;
            await db.kill();
            killing = undefined;
            killed();
            const down = Date.now();
            within.phase('outage');
            const ackedAtKill = acked;
            // down long enough for the API and readiness to be asked, and for events to arrive meanwhile
            const atLeastMs = random.int(2_000, 4_000);
            await waitUntil(
              'events acknowledged while PostgreSQL is down',
              () => Date.now() - down >= atLeastMs && (acked >= ackedAtKill + events * 0.05 || !streaming),
              { timeoutMs: timeLimitMs(60_000, 300_000), intervalMs: 50 },
            );
            ackedDuringOutage.push(acked - ackedAtKill);
            within.phase('restarting');
            await db.restart();
            within.phase('running');
            const restarted = Date.now();
            downMs.push(restarted - down);
            const head = storeHead(running);
            await catchUp(running, db.url, head, 'the projections caught up with the store after the restart');
            catchUpMs.push(Date.now() - restarted);
          })
          .finally(() => {
            // a strike that failed lets the senders go; the test fails when it awaits the chaos
            killing = undefined;
            killed();
          });
      };
      const stats = await streamEvents(perUser, {
        url: () => running.url,
        writeKey: WRITE_KEY,
        batchSize: 50,
        concurrency: 4,
        onProgress: (n) => {
          acked = n;
          while (moments.length > 0 && n >= (moments[0] ?? 0)) {
            moments.shift();
            strike();
          }
          return killing;
        },
      });
      streaming = false;
      await chaos;
      const drained = await pipelineDrained(running, stats.acked.size, { timeoutMs: timeLimitMs(60_000, 300_000) });
      const head = storeHead(running);
      await catchUp(running, db.url, head, 'the projections applied every journey event');
      const expectedKeys = perUser.map((list) => `signup:${list[0]?.userId}`);
      await waitUntil(
        'every sign-up alert posted to Slack',
        () => new Set(posted.keysPosted()).size >= expectedKeys.length,
        {
          timeoutMs: timeLimitMs(60_000, 300_000),
          intervalMs: 100,
        },
      );
      // a second message for a key would come from a retry after the outage: give it time
      await sleep(1_000);
      const readyAgain = await fetch(`${running.apiUrl}/readyz`);
      const phases = (await probe?.stop()) ?? {};
      const after = await Promise.all(
        perUser.slice(0, 20).map(async (list) => {
          const userId = list[0]?.userId ?? '';
          const response = await fetch(`${running.apiUrl}/api/users/${userId}/journey`, {
            headers: { authorization: `Bearer ${API_TOKEN}` },
          });
          const body = (await response.json()) as { events: { id: string }[] };
          return { userId, status: response.status, events: body.events.length, sent: list.length };
        }),
      );
      await Promise.all([...running.processes.values()].map((p) => p.stop()));

      const audit = auditStore(running.dataDir, sent, stats.acked);
      const readSide = await auditPostgresReadSide(db.url, running.dataDir);
      const perKey = new Map<string, number>();
      for (const key of posted.keysPosted()) perKey.set(key, (perKey.get(key) ?? 0) + 1);
      const outage = phases.outage;
      const sum = (counts: Record<string, number> | undefined) =>
        Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
      printFigures(`${SUITE} (${layout})`, {
        'events sent': sent.size,
        acknowledged: stats.acked.size,
        'PostgreSQL restarts': downMs.length,
        'down ms': downMs.join(' / '),
        'acknowledged while down': ackedDuringOutage.join(' / '),
        'API 503s while down': sum(outage?.unavailable),
        'API 200s while down': sum(outage?.ok),
        'readyz while down': JSON.stringify(outage?.readyz ?? {}).replace(/"/g, ''),
        'caught up after restart ms': catchUpMs.join(' / '),
        'Slack messages': posted.keysPosted().length,
        lost: audit.lost.length,
        duplicated: audit.duplicated.length,
        'wall s': Math.round((Date.now() - started) / 1000),
      });
      expect(running.unexpectedExits()).toEqual([]);
      expect(downMs).toHaveLength(restarts);
      expect(Math.min(...ackedDuringOutage), 'events arrived while PostgreSQL was down').toBeGreaterThan(0);
      for (const [phase, tally] of Object.entries(phases)) expect(tally?.wrong.slice(0, 10), phase).toEqual([]);
      expect(sum(outage?.unavailable), 'the API said 503 while PostgreSQL was down').toBeGreaterThan(0);
      expect(Object.keys(outage?.readyz ?? {}), '/readyz while PostgreSQL was down').toEqual(['503']);
      expect(readyAgain.status, '/readyz once caught up').toBe(200);
      expect(drained, 'the mapper drained the raw log').toBe(true);
      expect(audit.lost.slice(0, 10)).toEqual([]);
      expect(audit.duplicated.slice(0, 10)).toEqual([]);
      expect(audit.journeyEvents).toBe(sent.size);
      expect(readSide.wrongCounts.slice(0, 10)).toEqual([]);
      expect(readSide.notInTimeline).toBe(0);
      expect(readSide.extraInTimeline).toBe(0);
      expect(readSide.timelineOutOfOrder.slice(0, 10)).toEqual([]);
      expect(readSide.alertsMissing.slice(0, 10)).toEqual([]);
      expect(after.filter((a) => a.status !== 200 || a.events !== a.sent)).toEqual([]);
      expect([...perKey.keys()].sort()).toEqual([...expectedKeys].sort());
      expect([...perKey].filter(([, n]) => n > 1)).toEqual([]);
    },
    timeLimitMs(240_000, 900_000),
  );
});
