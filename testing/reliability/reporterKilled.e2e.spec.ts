import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_STREAM } from '../../application/ports/eventStore/eventStore.ts';
import { readRecordedReports } from '../../application/reports/runFunnelReport.ts';
import {
  REPORT_EVENT_TYPE,
  REPORT_STREAM,
  type UsersByActivationStageReported,
} from '../../domain/report/usersByActivationStageReported.ts';
import { addDays, endOfZonedDay } from '../../domain/report/zonedDay.ts';
import { PostgresReadModels } from '../../infrastructure/postgres/readModels/postgresReadModels.ts';
import { SqliteEventStore } from '../../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import { type JourneyProcess, journeyProcess } from '../journey/journeyProcess.ts';
import { migratedDatabase } from '../postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../postgres/postgresServer.ts';
import { type FakeSlack, startFakeSlack } from '../slack/fakeSlack.ts';
import { sleep } from '../sleep.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { waitUntil } from '../waitUntil.ts';
import { API_TOKEN, WRITE_KEY } from './journeyCluster.ts';
import {
  announceSeed,
  isFullScale,
  printFigures,
  runSeed,
  scaled,
  seededRandom,
  timeLimitMs,
} from './reliabilityRun.ts';
import { expectedReplies, postedReports, reportFileOf, seedReportUsers } from './reportUsers.ts';

const SUITE = 'two reporters, the active one killed';
/** enough users that rendering a day's four PDFs takes a second or more: the kill lands inside it */
const USERS = scaled(10_000, 3_000);
/** kills alternate: mid-render (nothing recorded yet), then mid-post (recorded, half in Slack) */
const KILLS = isFullScale ? 6 : 3;
const DATES = KILLS + 1;
const LEASE_TTL_MS = isFullScale ? 5_000 : 2_000;
const CHANNEL = '#portal-analytics';
type Mode = 'render' | 'post';

const leaseRow = async (pool: pg.Pool) => {
  const { rows } = await pool.query<{ epoch: string; holder: string; acquired_ms: number }>(
    `SELECT epoch, holder, (extract(epoch FROM acquired_at) * 1000)::float8 AS acquired_ms
     FROM journey.leases WHERE role = 'reporter' AND expires_at > clock_timestamp()`,
  );
  const row = rows[0];
  return row && { epoch: Number(row.epoch), pid: Number(/ pid (\d+)/.exec(row.holder)?.[1]), at: row.acquired_ms };
};

/** when (its log's epoch ms) a reporter began rendering `date`, each time it did */
const renderStarts = (reporter: JourneyProcess, date: string): number[] =>
  reporter
    .output()
    .split('\n')
    .filter((l) => l.includes(`"msg":"rendering the funnel report for ${date}"`))
    .map((l) => Number(/"time":(\d+)/.exec(l)?.[1]));

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const figure = (values: readonly number[]) =>
  values.length === 0 ? 'none' : `${Math.round(percentile(values, 50))} / ${Math.round(Math.max(...values))}`;

/**
 * Two `journey reporter` processes started at once on one PostgreSQL read side and one event
 * store, with days of reports to catch up. The one holding the reporter lease is killed with
 * SIGKILL as it begins rendering a day, or once Slack stored part of a day's messages; the other
 * takes over and the killed one comes back as the standby. Every day must be recorded once and
 * posted once: four PDFs, each thread's replies once.
 */
describe('reliability: two reporters, the active one killed by SIGKILL mid-render and mid-post', () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  let server: PostgresServer | undefined;
  let pool: pg.Pool | undefined;
  let slack: FakeSlack | undefined;
  let files: Awaited<ReturnType<typeof tempDataDir>> | undefined;
  const reporters: JourneyProcess[] = [];
  afterAll(async () => {
    await Promise.all(reporters.map((r) => r.kill()));
    await pool?.end();
    await server?.stop();
    await slack?.close();
    await files?.remove();
  });

  it(
    `each of ${DATES} days is recorded and posted once, with ${KILLS} kills of the active reporter`,
    async () => {
      announceSeed(SUITE, seed);
      const started = Date.now();
      server = await startPostgresServer();
      const database = await migratedDatabase(server);
      pool = database.pool;
      const db = pool;
      slack = await startFakeSlack({ knownChannels: [CHANNEL] });
      const fake = slack;
      files = await tempDataDir('reporter-killed');
      const dataDir = files.dir;

      // a yearly schedule: the day due is last 31 December, whenever the suite runs, and no tick comes meanwhile
      const due = `${new Date().getUTCFullYear() - 1}-12-31`;
      const dates = Array.from({ length: DATES }, (_, i) => addDays(due, i + 1 - DATES));
      const models = await PostgresReadModels.open(db);
      await seedReportUsers(models, USERS, endOfZonedDay(due, 'UTC'));
      await models.close();
      // the day before the first is reported already, so both reporters see DATES days to catch up
      const eventsFile = join(dataDir, 'events.db');
      const seeded = new SqliteEventStore(eventsFile);
      const before = addDays(dates[0] ?? due, -1);
      const zero = { count: 0 };
      const earlier: UsersByActivationStageReported = {
        date: before,
        timeZone: 'UTC',
        asOf: new Date(endOfZonedDay(before, 'UTC')).toISOString(),
        windowDays: 15,
        newSignups: 0,
        stages: { signedUp: zero, activated: zero, active: zero, inactive: zero },
        forced: false,
      };
      await seeded.append(
        REPORT_STREAM,
        [{ id: crypto.randomUUID(), type: REPORT_EVENT_TYPE, data: earlier, metadata: { occurredAt: earlier.asOf } }],
        { expectedRevision: NO_STREAM },
      );
      await seeded.close();

      const env = (): Record<string, string> => ({
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_DATABASE_URL: database.url,
        JOURNEY_WRITE_KEYS: `generator:${WRITE_KEY}`,
        JOURNEY_API_TOKEN: API_TOKEN,
        SLACK_BOT_TOKEN: 'xoxb-reliability',
        SLACK_API_URL: fake.apiUrl,
        SLACK_REPORT_CHANNEL: CHANNEL,
        JOURNEY_REPORT_CRON: '0 0 1 1 *',
        JOURNEY_REPORT_TZ: 'UTC',
        JOURNEY_REPORT_CATCHUP_DAYS: String(DATES),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        JOURNEY_LEASE_TTL_MS: String(LEASE_TTL_MS),
      });
      for (const name of ['reporter-1', 'reporter-2']) reporters.push(journeyProcess(name, ['reporter'], env));
      await Promise.all(reporters.map((r) => r.start()));

      const recordedDates = async (): Promise<string[]> => {
        const store = new SqliteEventStore(eventsFile);
        try {
          return (await readRecordedReports(store)).reports.map((r) => r.date).filter((d) => d !== before);
        } finally {
          await store.close();
        }
      };
      // what a failure shows: the end of each reporter's log, and how far Slack got
      const tails = () => ({
        messages: fake.messages.length,
        logs: reporters.map((r) =>
          r
            .output()
            .split('\n')
            .filter((l) => /"level":(30|40|50)/.test(l) && !l.includes('journey started'))
            .slice(-6)
            .map((l) => l.replace(/.*"time":(\d+).*"msg":"([^"]*)".*/, '$1 $2')),
        ),
      });
      const takeoverMs: Record<Mode, number[]> = { render: [], post: [] };
      const firstActionMs: Record<Mode, number[]> = { render: [], post: [] };
      const killedAfterRecord: string[] = [];
      for (let k = 0; k < KILLS; k++) {
        const date = dates[k] ?? due;
        const mode: Mode = k % 2 === 0 ? 'render' : 'post';
        let active: JourneyProcess | undefined;
        await waitUntil(
          `a reporter to begin rendering ${date}`,
          () => {
            active = reporters.find((r) => r.running && renderStarts(r, date).length > 0);
            return active !== undefined;
          },
          { timeoutMs: 120_000, intervalMs: 5, lastSeen: tails },
        );
        const victim = active as JourneyProcess;
        const standby = reporters.find((r) => r !== victim) as JourneyProcess;
        const lease = await leaseRow(db);
        let killedAt: number | undefined;
        let restarting: Promise<void> | undefined;
        const kill = () => {
          killedAt = performance.timeOrigin + performance.now();
          // the survivor goes as far as Slack's auth.test after the day it takes over (rendered, not yet
          // recorded) and waits there until the killed one is back as the standby: then the next kill
          // has a standby to fail over to, however slowly the machine starts a process
          const release = fake.hold('auth.test');
          restarting = victim
            .kill()
            .then(() => victim.start())
            .finally(release);
        };
        if (mode === 'render') kill();
        else {
          // once Slack stored part of the day: some stages shared, a thread half answered
          const threshold = random.int(10, 150);
          fake.onStored = () => {
            const stageTs = new Set(fake.messages.filter((m) => reportFileOf(m)?.date === date).map((m) => m.ts));
            const ofDate = fake.messages.filter((m) => stageTs.has(m.ts) || stageTs.has(m.threadTs ?? '')).length;
            if (killedAt === undefined && ofDate >= threshold) kill();
          };
          await waitUntil(`the kill while ${date} is posted`, () => killedAt !== undefined, {
            timeoutMs: 120_000,
            intervalMs: 5,
            lastSeen: tails,
          });
          fake.onStored = undefined;
        }
        const killed = killedAt ?? 0;
        if (mode === 'render' && (await recordedDates()).includes(date)) killedAfterRecord.push(date);
        let now = lease;
        await waitUntil(
          'the standby to take the reporter lease',
          async () => {
            now = await leaseRow(db);
            return now !== undefined && lease !== undefined && now.epoch > lease.epoch;
          },
          { timeoutMs: 60_000, intervalMs: 10, lastSeen: () => now },
        );
        takeoverMs[mode].push((now?.at ?? 0) - killed);
        await waitUntil(`the standby to begin rendering ${date}`, () => renderStarts(standby, date).length > 0, {
          timeoutMs: 60_000,
          intervalMs: 10,
          lastSeen: tails,
        });
        firstActionMs[mode].push(Math.min(...renderStarts(standby, date)) - killed);
        await restarting;
      }

      let recorded: string[] = [];
      const complete = () => {
        const posted = postedReports(fake);
        return dates.every((d) => recorded.includes(d) && (posted.get(d)?.length ?? 0) >= 4);
      };
      await waitUntil(
        'every day recorded and its four stages posted',
        async () => {
          recorded = await recordedDates();
          return complete();
        },
        {
          timeoutMs: 120_000,
          intervalMs: 200,
          lastSeen: () => ({ recorded, posted: [...postedReports(fake)].map(([d, s]) => [d, s.length]) }),
        },
      );
      // the last stage's replies, and a late second post if one were coming
      await sleep(3_000);

      const store = new SqliteEventStore(eventsFile);
      const reports = (await readRecordedReports(store)).reports.filter((r) => r.date !== before);
      await store.close();
      const posted = postedReports(fake);
      const problems: string[] = [];
      let expectedMessages = 0;
      for (const report of reports) {
        const stages = posted.get(report.date) ?? [];
        const names = stages.map((s) => reportFileOf(s.message)?.stage ?? '?');
        if (names.join() !== 'signedUp,activated,active,inactive')
          problems.push(`${report.date}: stage messages ${names.join()}`);
        for (const { message, replies } of stages) {
          const stage = reportFileOf(message)?.stage as keyof typeof report.stages;
          const want = expectedReplies(report.stages[stage]?.count ?? -1);
          if (replies.length !== want) problems.push(`${report.date} ${stage}: ${replies.length} replies, ${want} due`);
          if (new Set(replies).size !== replies.length) problems.push(`${report.date} ${stage}: a reply posted twice`);
          expectedMessages += 1 + want;
        }
      }
      printFigures(SUITE, {
        users: USERS,
        days: DATES,
        kills: `${KILLS} (${takeoverMs.render.length} mid-render, ${takeoverMs.post.length} mid-post)`,
        'mid-render: SIGKILL to standby holds the lease ms p50 / max': figure(takeoverMs.render),
        'mid-render: SIGKILL to standby begins rendering the day ms p50 / max': figure(firstActionMs.render),
        'mid-post: SIGKILL to standby holds the lease ms p50 / max': figure(takeoverMs.post),
        'mid-post: SIGKILL to standby begins the day again ms p50 / max': figure(firstActionMs.post),
        'lease TTL ms': LEASE_TTL_MS,
        'Slack messages': fake.messages.length,
        'PDFs shared': fake.messages.filter((m) => m.files !== undefined).length,
        'lookups (conversations.history / replies)': `${fake.calls.filter((c) => c.method === 'conversations.history').length} / ${fake.calls.filter((c) => c.method === 'conversations.replies').length}`,
        'wall s': Math.round((Date.now() - started) / 1000),
      });
      expect(killedAfterRecord, 'each mid-render kill landed before the day was recorded').toEqual([]);
      expect(reports.map((r) => [r.date, r.forced])).toEqual(dates.map((d) => [d, false]));
      expect(problems).toEqual([]);
      expect(fake.messages).toHaveLength(expectedMessages);
      expect(firstActionMs.render.length + firstActionMs.post.length).toBe(KILLS);
      // the limit for a standby to act after its active peer died
      expect(Math.max(...firstActionMs.render, ...firstActionMs.post)).toBeLessThan(10_000);
      expect(reporters.flatMap((r) => r.unexpectedExits)).toEqual([]);
    },
    timeLimitMs(300_000, 900_000),
  );
});
