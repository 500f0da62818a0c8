import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../slack/fakeSlack.ts';
import { sleep } from '../sleep.ts';
import { waitUntil } from '../waitUntil.ts';
import { generateEvents, streamEvents } from './eventGenerator.ts';
import { type JourneyCluster, startJourneyCluster, WRITE_KEY } from './journeyCluster.ts';
import { announceSeed, printFigures, runSeed, scaled, seededRandom, timeLimitMs } from './reliabilityRun.ts';

const SUITE = 'Slack down';

/** the outbox rows, read from alerts.db beside the running process */
const outbox = (dataDir: string): { key: string; status: string; attempts: number }[] => {
  const db = new Database(join(dataDir, 'alerts.db'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { key: string; status: string; attempts: number }>('SELECT key, status, attempts FROM alerts')
      .all();
  } catch {
    return []; // not created yet
  } finally {
    db.close();
  }
};

describe('reliability: Slack is down for a while; alerts wait and each goes out exactly once when it is back', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const signups = scaled(500, 10);
  let cluster: JourneyCluster | undefined;
  let slack: FakeSlack | undefined;
  afterEach(async () => {
    await cluster?.stop();
    await slack?.close();
    cluster = undefined;
    slack = undefined;
  });

  const streamSignups = async (running: JourneyCluster, runId: string): Promise<string[]> => {
    const perUser = generateEvents(random, runId, signups, signups);
    const stats = await streamEvents(perUser, {
      url: () => running.url,
      writeKey: WRITE_KEY,
      batchSize: 10,
      concurrency: 2,
    });
    expect(stats.acked.size).toBe(signups);
    return perUser.map((list) => `signup:${list[0]?.userId}`).sort();
  };

  /** every alert was tried at least twice and is still waiting */
  const allWaiting = (dataDir: string) => () => {
    const rows = outbox(dataDir);
    return rows.length === signups && rows.every((r) => r.status === 'pending' && r.attempts >= 2);
  };

  it(
    `Slack answers 500 for a while, and the alerter is killed meanwhile (${signups} sign-ups)`,
    async () => {
      announceSeed(`${SUITE} (500)`, seed);
      slack = await startFakeSlack();
      const fake = slack;
      fake.outage({ status: 500 });
      cluster = await startJourneyCluster({ apps: { start: 1 }, nats: false, slack });
      const running = cluster;
      const keys = await streamSignups(running, `sd${seed}`);
      await waitUntil('every alert to be tried twice', allWaiting(running.dataDir), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      // waiting survives a crash: the attempts are in the outbox, not in memory
      await running.process('start').kill();
      await running.process('start').start();
      await sleep(random.int(500, 2_000));
      expect(fake.messages).toEqual([]);
      fake.outage(undefined);
      await waitUntil('every key to be posted', () => new Set(fake.keysPosted()).size === signups, {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      await sleep(1_000);
      printFigures(`${SUITE} (500)`, {
        alerts: signups,
        'failed calls': fake.calls.length - fake.messages.length,
        'slack messages': fake.messages.length,
      });
      expect(fake.keysPosted().sort()).toEqual(keys);
      expect(outbox(running.dataDir).every((r) => r.status === 'posted')).toBe(true);
      expect(running.unexpectedExits()).toEqual([]);
    },
    timeLimitMs(120_000, 300_000),
  );

  it(
    `Slack is unreachable for a while (its server stopped), then back on the same address (${signups} sign-ups)`,
    async () => {
      announceSeed(`${SUITE} (stopped)`, seed);
      slack = await startFakeSlack();
      const port = Number(new URL(slack.apiUrl).port);
      cluster = await startJourneyCluster({ apps: { start: 1 }, nats: false, slack });
      const running = cluster;
      await slack.close();
      const keys = await streamSignups(running, `ss${seed}`);
      await waitUntil('every alert to be tried twice', allWaiting(running.dataDir), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      await sleep(random.int(500, 2_000));
      slack = await startFakeSlack({ port });
      const fake = slack;
      await waitUntil('every key to be posted', () => new Set(fake.keysPosted()).size === signups, {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      await sleep(1_000);
      printFigures(`${SUITE} (stopped)`, { alerts: signups, 'slack messages': fake.messages.length });
      expect(fake.keysPosted().sort()).toEqual(keys);
      expect(outbox(running.dataDir).every((r) => r.status === 'posted')).toBe(true);
      expect(running.unexpectedExits()).toEqual([]);
    },
    timeLimitMs(120_000, 300_000),
  );
});
