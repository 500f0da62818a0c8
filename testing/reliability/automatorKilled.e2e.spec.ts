import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET } from '../automations/automationsFixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../automations/webhookReceiver.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { waitUntil } from '../waitUntil.ts';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import {
  announceSeed,
  isFullScale,
  printFigures,
  runSeed,
  scaled,
  seededRandom,
  timeLimitMs,
} from './reliabilityRun.ts';

const SUITE = 'automator killed';
const TRIGGERS = scaled(1_000, 300);
/** each kill is a restart of `journey start` (seconds): two inside npm test, five at full scale */
const KILLS = isFullScale ? 5 : 2;

/** the outbox's states, read from automations.db beside the running process */
const outboxStates = (dataDir: string): Record<string, number> => {
  const db = new Database(join(dataDir, 'automations.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[], { status: string; count: number }>(
        'SELECT status, COUNT(*) AS count FROM automation_deliveries GROUP BY status',
      )
      .all();
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  } finally {
    db.close();
  }
};

describe('reliability: the automation worker is killed by SIGKILL while triggers stream in', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  let cluster: JourneyCluster | undefined;
  let receiver: WebhookReceiver | undefined;
  let files: Awaited<ReturnType<typeof tempDataDir>> | undefined;
  afterAll(async () => {
    await cluster?.stop();
    await receiver?.close();
    await files?.remove();
  });

  it(
    `every one of ${TRIGGERS} triggers arrives, each under one id, with ${KILLS} kills of the worker`,
    async () => {
      announceSeed(SUITE, seed);
      receiver = await startWebhookReceiver();
      const hooks = receiver;
      // a receiver that takes a moment, so each kill lands while deliveries are in flight
      hooks.answer(() => ({ status: 200, delayMs: 20 }));
      files = await tempDataDir('automator-killed');
      const automationsFile = files.file('automations.json');
      writeFileSync(
        automationsFile,
        JSON.stringify({
          version: 1,
          automations: [
            {
              id: 'welcome',
              when: { event: 'UserSignedUp' },
              do: { webhook: { url: hooks.url, secret: WEBHOOK_SECRET } },
            },
          ],
        }),
      );
      // the worker is a thread of `journey start`: killing the process kills it mid-delivery
      cluster = await startJourneyCluster({
        apps: { start: 1 },
        nats: false,
        env: { JOURNEY_AUTOMATIONS: automationsFile },
      });
      const running = cluster;
      const perUser = generateEvents(random, `ak${seed}`, TRIGGERS, TRIGGERS);
      const users = perUser.map((list) => list[0]?.userId ?? '');
      // in waves: each kill lands while its wave's webhooks are arriving (a restart takes longer
      // than a whole backlog's delivery, so kills timed on one stream all fell after the last)
      const waves = KILLS + 1;
      const killedAt: number[] = [];
      let acked = 0;
      for (let wave = 0; wave < waves; wave++) {
        const from = Math.floor((wave * TRIGGERS) / waves);
        const to = Math.floor(((wave + 1) * TRIGGERS) / waves);
        const stats = await streamEvents(perUser.slice(from, to), {
          url: () => running.url,
          writeKey: WRITE_KEY,
          batchSize: 20,
          concurrency: 2,
          retryForMs: 600_000,
        });
        acked += stats.acked.size;
        if (wave === waves - 1) break;
        const threshold = from + Math.floor((0.2 + random.next() * 0.6) * (to - from));
        await waitUntil(`${threshold} webhooks before kill ${wave + 1}`, () => hooks.received.length >= threshold, {
          timeoutMs: 300_000,
          intervalMs: 2,
        });
        killedAt.push(hooks.received.length);
        await running.process('start').kill();
        await running.process('start').start();
      }
      expect(acked).toBe(TRIGGERS);
      await waitUntil(
        'every user to get a webhook',
        () => new Set(hooks.received.map((r) => r.body.user.id)).size === TRIGGERS,
        {
          timeoutMs: 300_000,
          intervalMs: 100,
          lastSeen: () => ({ received: hooks.received.length, outbox: outboxStates(running.dataDir) }),
        },
      );
      await waitUntil(
        'the outbox to record every delivery',
        () => outboxStates(running.dataDir).delivered === TRIGGERS,
        {
          timeoutMs: 120_000,
          intervalMs: 100,
          lastSeen: () => outboxStates(running.dataDir),
        },
      );

      const idsByUser = new Map<string, Set<string>>();
      for (const r of hooks.received)
        idsByUser.set(r.body.user.id, (idsByUser.get(r.body.user.id) ?? new Set()).add(r.id));
      const distinctIds = new Set(hooks.received.map((r) => r.id));
      printFigures(SUITE, {
        triggers: TRIGGERS,
        kills: KILLS,
        'webhooks at each kill': killedAt.join('/'),
        requests: hooks.received.length,
        'copies (same id again)': hooks.received.length - distinctIds.size,
      });
      expect([...idsByUser.keys()].sort()).toEqual([...users].sort());
      // no trigger has two ids, and all copies of one trigger carry its one id
      expect([...idsByUser.values()].filter((ids) => ids.size !== 1)).toEqual([]);
      expect([...hooks.idsByTrigger().values()].filter((ids) => ids.size !== 1)).toEqual([]);
      expect(distinctIds.size).toBe(TRIGGERS);
      expect(hooks.acceptedIds()).toEqual(distinctIds);
      expect(hooks.badSignatures).toBe(0);
      expect(outboxStates(running.dataDir)).toEqual({ delivered: TRIGGERS });
      expect(running.unexpectedExits()).toEqual([]);
    },
    timeLimitMs(900_000, 900_000),
  );
});
