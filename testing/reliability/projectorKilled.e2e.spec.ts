import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET } from '../automations/automationsFixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../automations/webhookReceiver.ts';
import { type JourneyProcess, journeyProcess } from '../journey/journeyProcess.ts';
import { migratedDatabase } from '../postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../postgres/postgresServer.ts';
import { sleep } from '../sleep.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { waitUntil } from '../waitUntil.ts';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import { firstBatchAfter, heldLeases, type LeaseRow, p50AndMax, pidOf } from './leaseFailover.ts';
import { auditPostgresReadSide, commitOf } from './postgresReadSideAudit.ts';
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

const execute = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');

const SUITE = 'two projectors, the active one killed';
const PROJECTIONS = ['users', 'timeline', 'alerts', 'sessions', 'automations'] as const;
const PROJECTION_ROLES = PROJECTIONS.map((p) => `projection:${p}`);
/** the default TTL at full scale (the figures in docs); a shorter one inside npm test, to stay fast */
const LEASE_TTL_MS = isFullScale ? 5_000 : 2_000;

/** every projection's checkpoint in PostgreSQL (the commit number), by projection */
const checkpoints = async (pool: pg.Pool): Promise<Record<string, number>> => {
  const { rows } = await pool.query<{ projection: string; position: string | null }>(
    `SELECT projection, position FROM journey.read_model_checkpoints
     UNION ALL SELECT projection, position FROM journey.alert_checkpoints
     UNION ALL SELECT projection, position FROM journey.session_checkpoints
     UNION ALL SELECT projection, position FROM journey.automation_checkpoints`,
  );
  return Object.fromEntries(rows.map((r) => [r.projection, commitOf(r.position)]));
};

const deliveryStates = async (pool: pg.Pool): Promise<Record<string, number>> => {
  const { rows } = await pool.query<{ status: string; count: number }>(
    'SELECT status, count(*)::int AS count FROM journey.automation_deliveries GROUP BY status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
};

/**
 * Two `journey projector` processes (and two `journey automator`s) on one PostgreSQL read side,
 * events flowing through the real pipeline (collector, NATS JetStream, mapper). Each
 * projection is a role of its own; the projector holding most of them is killed with SIGKILL
 * again and again while events stream in, and comes back as the standby; between those, the
 * automator holding its role is killed too. At the end the read models must equal a clean
 * rebuild (`journey projections rebuild all --verify`), and each failover's times are printed.
 */
describe('reliability: two projectors on PostgreSQL, the active one killed by SIGKILL while events stream in', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const events = scaled(100_000, 3_000);
  const kills = isFullScale ? 5 : 2;
  let server: PostgresServer | undefined;
  let pool: pg.Pool | undefined;
  let cluster: JourneyCluster | undefined;
  let hooks: WebhookReceiver | undefined;
  let files: Awaited<ReturnType<typeof tempDataDir>> | undefined;
  const automators: JourneyProcess[] = [];
  afterAll(async () => {
    await Promise.all(automators.map((a) => a.kill()));
    await cluster?.stop();
    await pool?.end();
    await server?.stop();
    await hooks?.close();
    await files?.remove();
  });

  it(
    `the read models equal a clean rebuild after ${kills} kills of the active projector (${events} events)`,
    async () => {
      announceSeed(SUITE, seed);
      const started = Date.now();
      server = await startPostgresServer();
      const database = await migratedDatabase(server);
      pool = database.pool;
      const db = pool;
      hooks = await startWebhookReceiver();
      const receiver = hooks;
      files = await tempDataDir('projector-killed');
      const automationsFile = files.file('automations.json');
      writeFileSync(
        automationsFile,
        JSON.stringify({
          version: 1,
          automations: [
            {
              id: 'welcome',
              when: { event: 'UserSignedUp' },
              do: { webhook: { url: receiver.url, secret: WEBHOOK_SECRET } },
            },
          ],
        }),
      );
      const env = {
        JOURNEY_DATABASE_URL: database.url,
        JOURNEY_LEASE_TTL_MS: String(LEASE_TTL_MS),
        JOURNEY_AUTOMATIONS: automationsFile,
      };
      cluster = await startJourneyCluster({ apps: { collector: 1, mapper: 1, projector: 2 }, env });
      const running = cluster;
      for (const name of ['automator-1', 'automator-2'])
        automators.push(journeyProcess(name, ['automator'], () => ({ ...running.env(), PORT: '0' })));
      for (const automator of automators) await automator.start();
      const projectors = [running.process('projector'), running.process('projector-2')];
      const processOf = (holder: string | undefined) =>
        [...projectors, ...automators].find((p) => p.pid !== undefined && p.pid === pidOf(holder));
      const phases: Record<string, number> = {};
      let phaseStart = started;
      const phase = (name: string) => {
        phases[name] = Math.round((Date.now() - phaseStart) / 100) / 10;
        phaseStart = Date.now();
      };
      phase('start s');
      let leases = new Map<string, LeaseRow>();
      await waitUntil(
        'every role to be held',
        async () => {
          leases = await heldLeases(db);
          return [...PROJECTION_ROLES, 'automator'].every((r) => leases.has(r));
        },
        { timeoutMs: 60_000, lastSeen: () => [...leases.values()] },
      );

      // a trickle of new users all along, so each new holder has work at once: its first action is measurable
      const trickleRandom = seededRandom(seed + 1);
      let killing = true;
      let trickled = 0;
      let trickleUsers = 0;
      let chunk = 0;
      const trickle = (async () => {
        while (killing) {
          const next = generateEvents(trickleRandom, `pk${seed}t${chunk++}`, 10, 5);
          const sent = await streamEvents(next, {
            url: () => running.url,
            writeKey: WRITE_KEY,
            batchSize: 10,
            concurrency: 1,
          });
          trickled += sent.acked.size;
          trickleUsers += next.length;
          await sleep(100);
        }
      })();
      const perUser = generateEvents(random, `pk${seed}`, events, Math.ceil(events / 20));
      let acked = 0;
      const bulk = streamEvents(perUser, {
        url: () => running.url,
        writeKey: WRITE_KEY,
        batchSize: 100,
        concurrency: 4,
        onProgress: (n) => {
          acked = n;
        },
      });
      let bulkDone = false;
      const bulkStats = bulk.finally(() => {
        bulkDone = true;
      });

      const moments = strikeMoments(random, kills).map((f) => Math.floor(f * events));
      const projectorTakeoverMs: number[] = [];
      const projectorFirstBatchMs: number[] = [];
      const firstBatchByProjection = new Map<string, number[]>();
      const automatorTakeoverMs: number[] = [];
      const automatorFirstCallMs: number[] = [];
      const rolesPerKill: number[] = [];
      // a killed process comes back as the standby while the other role's kill goes on; the next kill of its kind waits for it
      let projectorBack: Promise<void> = Promise.resolve();
      let automatorBack: Promise<void> = Promise.resolve();
      for (const [k, moment] of moments.entries()) {
        await waitUntil(`${moment} events acknowledged before kill ${k + 1}`, () => acked >= moment || bulkDone, {
          timeoutMs: timeLimitMs(120_000, 600_000),
          intervalMs: 10,
        });

        // the projector holding most projections; the other takes them over
        await projectorBack;
        let before = new Map<string, LeaseRow>();
        await waitUntil('every projection held by a running projector', async () => {
          before = await heldLeases(db);
          return PROJECTION_ROLES.every((r) => projectors.some((p) => p.pid === pidOf(before.get(r)?.holder)));
        });
        const counts = projectors.map((p) => PROJECTION_ROLES.filter((r) => pidOf(before.get(r)?.holder) === p.pid));
        const victimIndex = (counts[0]?.length ?? 0) >= (counts[1]?.length ?? 0) ? 0 : 1;
        const victim = projectors[victimIndex];
        const survivor = projectors[1 - victimIndex];
        const roles = counts[victimIndex] ?? [];
        if (!victim || !survivor || roles.length === 0)
          throw new Error(`no running projector holds a projection: ${JSON.stringify([...before.values()])}`);
        rolesPerKill.push(roles.length);
        const killedAt = Date.now();
        await victim.kill();
        projectorBack = victim.start();
        // each role's first grant after the kill, seen before a loaded new holder could lose it again
        const takenAt = new Map<string, number>();
        await waitUntil(
          `the standby to take over ${roles.join(', ')}`,
          async () => {
            leases = await heldLeases(db);
            for (const r of roles) {
              const lease = leases.get(r);
              if (!takenAt.has(r) && lease && lease.epoch > (before.get(r)?.epoch ?? 0))
                takenAt.set(r, lease.acquiredAt);
            }
            return takenAt.size === roles.length;
          },
          { timeoutMs: 30_000, intervalMs: 10, lastSeen: () => [...leases.values()] },
        );
        for (const role of roles) {
          projectorTakeoverMs.push((takenAt.get(role) ?? 0) - killedAt);
          // whoever applies first after the kill: on a loaded machine a new holder may lose the role again before its batch
          const name = role.slice('projection:'.length);
          const after = before.get(role)?.epoch ?? 0;
          let at: number | undefined;
          await waitUntil(
            `a first batch of ${role} after the kill`,
            () => {
              at = firstBatchAfter(
                projectors.map((p) => p.output()),
                name,
                after,
              );
              return at !== undefined;
            },
            { timeoutMs: 30_000, intervalMs: 10, lastSeen: () => survivor.output().slice(-3_000) },
          );
          projectorFirstBatchMs.push((at ?? 0) - killedAt);
          firstBatchByProjection.set(name, [...(firstBatchByProjection.get(name) ?? []), (at ?? 0) - killedAt]);
        }

        // the automator holding its role; the other takes over and calls the first webhook
        await automatorBack;
        let automatorBefore: LeaseRow | undefined;
        await waitUntil('a running automator to hold its role', async () => {
          automatorBefore = (await heldLeases(db)).get('automator');
          return automators.includes(processOf(automatorBefore?.holder) as JourneyProcess);
        });
        const active = processOf(automatorBefore?.holder);
        if (!active) throw new Error(`no running automator holds the automator role: ${automatorBefore?.holder}`);
        const automatorKilledAt = Date.now();
        await active.kill();
        automatorBack = active.start();
        let taken: LeaseRow | undefined;
        await waitUntil(
          'the standby automator to take over',
          async () => {
            taken = (await heldLeases(db)).get('automator');
            return (taken?.epoch ?? 0) > (automatorBefore?.epoch ?? 0);
          },
          { timeoutMs: 30_000, intervalMs: 10, lastSeen: () => taken },
        );
        const acquiredAt = taken?.acquiredAt ?? 0;
        automatorTakeoverMs.push(acquiredAt - automatorKilledAt);
        await waitUntil(
          'the new automator to call a webhook',
          () => receiver.received.some((r) => r.receivedAt >= acquiredAt),
          {
            timeoutMs: 30_000,
            intervalMs: 10,
          },
        );
        automatorFirstCallMs.push(
          (receiver.received.find((r) => r.receivedAt >= acquiredAt)?.receivedAt ?? 0) - automatorKilledAt,
        );
      }
      await Promise.all([projectorBack, automatorBack]);
      killing = false;
      await trickle;
      const stats = await bulkStats;
      phase('kills s');

      // drained: every acknowledged event stored as a journey event and applied by every projection
      const expected = stats.acked.size + trickled;
      let seen: { head: number; stored: number; checkpoints: Record<string, number> } | undefined;
      await waitUntil(
        'every projection to apply the last journey event',
        async () => {
          const store = auditStore(running.dataDir, new Set(), new Set());
          const head = commitOf(store.head);
          seen = { head, stored: store.journeyEvents, checkpoints: await checkpoints(db) };
          const applied = seen.checkpoints;
          return store.journeyEvents >= expected && PROJECTIONS.every((p) => (applied[p] ?? -1) >= head);
        },
        { timeoutMs: timeLimitMs(120_000, 600_000), intervalMs: 250, lastSeen: () => seen },
      );
      const users = perUser.length + trickleUsers;
      await waitUntil(
        'every sign-up delivered to the webhook',
        async () => (await deliveryStates(db)).delivered === users,
        {
          timeoutMs: timeLimitMs(60_000, 300_000),
          intervalMs: 250,
          lastSeen: () => deliveryStates(db),
        },
      );
      phase('drain s');
      const epochs = await heldLeases(db);
      await Promise.all([...running.processes.values(), ...automators].map((p) => p.stop()));

      const audit = await auditPostgresReadSide(database.url, running.dataDir);
      const rebuilt = await execute(process.execPath, [bin, 'projections', 'rebuild', 'all', '--verify'], {
        env: { ...process.env, ...running.env(), LOG_LEVEL: 'silent' },
        maxBuffer: 16 * 1024 * 1024,
      });
      phase('audit and rebuild s');
      const verified = [...rebuilt.stdout.matchAll(/^(\w+): v\d+ swapped in[\s\S]*?verify: (equal|DIFFERENT)/gm)];
      printFigures(SUITE, {
        events: expected,
        'bulk / trickle': `${stats.acked.size} / ${trickled}`,
        'projector kills': kills,
        'projections the killed one held': rolesPerKill.join('/'),
        'projection: SIGKILL to takeover ms p50 / max': p50AndMax(projectorTakeoverMs),
        'projection: SIGKILL to first applied batch ms p50 / max': p50AndMax(projectorFirstBatchMs),
        'first applied batch by projection ms p50 / max': [...firstBatchByProjection]
          .map(([name, values]) => `${name} ${p50AndMax(values)}`)
          .join(', '),
        'automator kills': kills,
        'automator: SIGKILL to takeover ms p50 / max': p50AndMax(automatorTakeoverMs),
        'automator: SIGKILL to first webhook ms p50 / max': p50AndMax(automatorFirstCallMs),
        'lease TTL ms': LEASE_TTL_MS,
        'epochs at the end': PROJECTION_ROLES.map((r) => `${r} ${epochs.get(r)?.epoch}`).join(', '),
        webhooks: receiver.received.length,
        'wall s': Math.round((Date.now() - started) / 1000),
        ...phases,
        verify: verified.map((m) => `${m[1]} ${m[2]}`).join(', '),
      });
      expect(running.unexpectedExits()).toEqual([]);
      expect(automators.flatMap((a) => a.unexpectedExits)).toEqual([]);
      expect(projectorTakeoverMs).toHaveLength(rolesPerKill.reduce((a, b) => a + b, 0));
      // the bound: a standby takes over within 10 s of the kill. Its first action is
      // measured, not bounded: its first batch holds the backlog of the failover, which on a
      // loaded machine takes seconds more to apply (docs/reliability.md)
      expect(Math.max(...projectorTakeoverMs)).toBeLessThan(10_000);
      expect(Math.max(...automatorTakeoverMs)).toBeLessThan(10_000);
      expect(audit).toMatchObject({
        wrongCounts: [],
        notInTimeline: 0,
        extraInTimeline: 0,
        timelineOutOfOrder: [],
        alertsMissing: [],
        timelineRows: expected,
      });
      // the automations' hash may differ by design (docs/operations/rebuilding.md): its timers
      expect(Object.fromEntries(verified.map((m) => [m[1], m[2]]))).toMatchObject({
        timeline: 'equal',
        users: 'equal',
        alerts: 'equal',
        sessions: 'equal',
      });
    },
    timeLimitMs(240_000, 1_800_000),
  );
});
