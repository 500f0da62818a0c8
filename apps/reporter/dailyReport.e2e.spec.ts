import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventStore, EventStoreToken } from '../../application/ports/eventStore/eventStore.ts';
import { type ReadModelQueries, ReadModelQueriesToken } from '../../application/ports/readModels/readModels.ts';
import { type SessionStore, SessionStoreToken } from '../../application/ports/sessionStore/sessionStore.ts';
import { buildFunnelReport } from '../../application/reports/buildFunnelReport.ts';
import { readRecordedReports } from '../../application/reports/runFunnelReport.ts';
import { type JourneyConfig, loadConfig } from '../../infrastructure/config/config.ts';
import { postBatch } from '../../testing/collector/postBatch.ts';
import { handMadeEvents } from '../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN as API_TOKEN, journeyEnv, TEST_WRITE_KEY } from '../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../testing/journey/pipelineSettled.ts';
import { type FakeSlack, startFakeSlack } from '../../testing/slack/fakeSlack.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { type RunningJourney, startJourney } from '../journey/startJourney.ts';
import { runReportCommand } from './runReportCommand.ts';

const bin = join(import.meta.dirname, '../../bin/journey.js');

/**
 * The hand-made dataset (testing/fixtures/handMadeDataset.ts) worked out for the report, W = 15 days.
 *
 * 2026-03-10 in UTC, T = 03-10T23:59:59.999Z, T − W = 02-23T23:59:59.999Z: as in the dataset's
 * table — signedUp bob; activated dave, erin; active alice; inactive carol, hank (whose only
 * activity is exactly T − W). Sign-ups during the day: bob 08:00, erin 10:00 → 2.
 *
 * 2026-03-09 in UTC, T = 03-09T23:59:59.999Z, T − W = 02-22T23:59:59.999Z: bob, erin and gina
 * have not signed up; dave has (12:00) but his deployment is on the 10th → signedUp; hank's
 * activity (02-23) is now after T − W → activated; alice active (03-01, 03-05); carol inactive.
 * Sign-ups during the day: dave → 1.
 *
 * 2026-03-10 in Asia/Tokyo (UTC+9), T = 03-10T14:59:59.999Z, T − W = 02-23T14:59:59.999Z:
 * hank's activity at 02-23T23:59:59.999Z is after T − W → activated (inactive in UTC);
 * bob (08:00Z), dave (09:00Z deploy) and erin (10:00Z) are before T. Sign-ups during the day,
 * [03-09T15:00Z, 03-10T15:00Z): bob, erin → 2 (dave signed up 03-09T12:00Z, the day before).
 *
 * Users are listed newest sign-up first.
 */
const expected = {
  utc10: { signedUp: ['bob'], activated: ['erin', 'dave'], active: ['alice'], inactive: ['hank', 'carol'] },
  utc09: { signedUp: ['dave'], activated: ['hank'], active: ['alice'], inactive: ['carol'] },
  tokyo10: { signedUp: ['bob'], activated: ['erin', 'dave', 'hank'], active: ['alice'], inactive: ['carol'] },
};

const envFor = (dataDir: string, slack: FakeSlack): Record<string, string> =>
  journeyEnv(dataDir, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.apiUrl });

const idsByStage = (report: Awaited<ReturnType<typeof buildFunnelReport>>) =>
  Object.fromEntries(report.stages.map((s) => [s.stage, s.firstUsers.map((u) => u.userId)]));

describe('the daily funnel report on the hand-made dataset', () => {
  let data: TempDataDir;
  let dataDir: string;
  let slack: FakeSlack;
  let journey: RunningJourney;
  let config: JourneyConfig;

  beforeAll(async () => {
    data = await tempDataDir('report-e2e');
    dataDir = data.dir;
    slack = await startFakeSlack({ knownChannels: ['#journey-alerts', '#portal-analytics'] });
    config = loadConfig(envFor(dataDir, slack));
    journey = await startJourney(config, ['collector', 'mapper', 'projector', 'api']);
    const response = await postBatch(journey.url ?? '', TEST_WRITE_KEY, handMadeEvents());
    expect(response.status).toBe(200);
    // generous: on a loaded shared machine the pipeline takes a while to drain
    await pipelineSettled(journey, 60_000);
  }, 120_000);

  afterAll(async () => {
    await journey?.stop();
    await slack?.close();
    await data?.remove();
  });

  const sources = () => ({
    readModels: journey.container.get<ReadModelQueries>(ReadModelQueriesToken),
    sessions: journey.container.get<SessionStore>(SessionStoreToken),
  });

  it('puts each user in the stage worked out by hand, as of the end of the day in the report zone', async () => {
    const utc10 = await buildFunnelReport(sources(), '2026-03-10', { timeZone: 'UTC', windowDays: 15 });
    expect(idsByStage(utc10)).toEqual(expected.utc10);
    expect(utc10.recorded).toMatchObject({ asOf: '2026-03-10T23:59:59.999Z', newSignups: 2, windowDays: 15 });
    // the record counts each stage; its users are in the read models as of asOf, not in the event
    expect(utc10.recorded.stages.activated).toEqual({ count: 2 });

    const utc09 = await buildFunnelReport(sources(), '2026-03-09', { timeZone: 'UTC', windowDays: 15 });
    expect(idsByStage(utc09)).toEqual(expected.utc09);
    expect(utc09.recorded.newSignups).toBe(1);

    const tokyo = await buildFunnelReport(sources(), '2026-03-10', { timeZone: 'Asia/Tokyo', windowDays: 15 });
    expect(idsByStage(tokyo)).toEqual(expected.tokyo10);
    expect(tokyo.recorded).toMatchObject({ asOf: '2026-03-10T14:59:59.999Z', newSignups: 2 });
  });

  it('compares with the day before, keeps a 30-day trend, and lists each user’s latest events as of the day', async () => {
    const report = await buildFunnelReport(sources(), '2026-03-10', { timeZone: 'UTC', windowDays: 15 });
    const byStage = Object.fromEntries(report.stages.map((s) => [s.stage, s]));
    // the 9th's counts (see above) are the previous counts of the 10th
    expect(Object.fromEntries(report.stages.map((s) => [s.stage, s.previousCount]))).toEqual({
      signedUp: 1,
      activated: 1,
      active: 1,
      inactive: 1,
    });
    const trend = byStage.inactive?.trend ?? [];
    expect(trend).toHaveLength(30);
    expect(trend[0]).toEqual({ date: '2026-02-09', count: 0 });
    expect(trend.at(-1)).toEqual({ date: '2026-03-10', count: 2 });
    const dave = byStage.activated?.firstUsers.find((u) => u.userId === 'dave');
    expect(dave).toMatchObject({ email: 'dave@example.com', signedUpAt: '2026-03-09T12:00:00.000Z' });
    expect(dave?.latestEvents.map((e) => e.type)).toEqual(['ErrorEncountered', 'DeploymentStarted', 'UserSignedUp']);
    // 03-09 11:50–12:00, his anonymous page views joined; 03-10 09:00–09:30, a gap of exactly the timeout
    expect(dave?.sessions).toEqual({ count: 2, durationMs: 40 * 60_000 });
    // alice's deployment on the 11th is after the report's as-of instant
    const alice = byStage.active?.firstUsers[0];
    expect(alice?.latestEvents[0]).toEqual({ type: 'DeploymentStarted', occurredAt: '2026-03-05T09:00:00.000Z' });
    expect(alice?.lastActivityAt).toBe('2026-03-05T09:00:00.000Z');
    // 03-01 10:00 and 11:00 (an hour apart) and 03-05, one event each; not the 11th
    expect(alice?.sessions).toEqual({ count: 3, durationMs: 0 });
  });

  it('posts four stage messages with their PDFs and one reply per user; the same date again posts nothing; --force posts again', async () => {
    const lines: string[] = [];
    const first = await runReportCommand(config, { date: '2026-03-10' }, (l) => lines.push(l));
    expect(first.kind).toBe('reported');
    expect(lines.join('\n')).toContain('recorded and posted to #portal-analytics');

    const stageMessages = slack.messages.filter((m) => m.files !== undefined);
    expect(stageMessages).toHaveLength(4);
    expect(stageMessages.map((m) => m.files?.map((f) => f.filename))).toEqual([
      ['funnel-2026-03-10-signedUp.pdf'],
      ['funnel-2026-03-10-activated.pdf'],
      ['funnel-2026-03-10-active.pdf'],
      ['funnel-2026-03-10-inactive.pdf'],
    ]);
    for (const m of stageMessages) {
      const file = m.files?.[0];
      expect(file?.bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(file?.bytes.length).toBe(file?.length);
    }
    expect(stageMessages[1]?.text).toContain('*Activated users on 2026-03-10* (UTC): *2* (+1 from the day before)');
    const repliesTo = (ts: string | undefined) => slack.messages.filter((m) => m.threadTs === ts).map((m) => m.text);
    const expectedIds = Object.values(expected.utc10);
    stageMessages.forEach((m, i) => {
      const replies = repliesTo(m.ts);
      expect(replies).toHaveLength(expectedIds[i]?.length ?? -1);
      expect(replies.map((text) => /^\*([^*]+)\*/.exec(text)?.[1])).toEqual(expectedIds[i]);
    });
    expect(repliesTo(stageMessages[1]?.ts)[1]).toBe(
      '*dave* (dave@example.com) · signed up 2026-03-09 12:00 · last meaningful activity 2026-03-10 09:00 · sessions in 15 days: 2 (40 min) · latest: ErrorEncountered 2026-03-10 09:30, DeploymentStarted 2026-03-10 09:00, UserSignedUp 2026-03-09 12:00',
    );

    const callsBefore = slack.calls.length;
    const messagesBefore = slack.messages.length;
    const again = await runReportCommand(config, { date: '2026-03-10' }, (l) => lines.push(l));
    expect(again.kind).toBe('already-reported');
    expect(lines.at(-1)).toContain('already reported');
    expect(slack.messages).toHaveLength(messagesBefore);
    expect(slack.calls.slice(callsBefore).map((c) => c.method)).toEqual([]);

    const forced = await runReportCommand(config, { date: '2026-03-10', force: true }, () => {});
    expect(forced.kind).toBe('reported');
    expect(slack.messages.filter((m) => m.files !== undefined)).toHaveLength(8);
    expect(slack.messages).toHaveLength(2 * messagesBefore);

    const { reports } = await readRecordedReports(journey.container.get<EventStore>(EventStoreToken));
    expect(reports.map((r) => [r.date, r.forced])).toEqual([
      ['2026-03-10', false],
      ['2026-03-10', true],
    ]);

    const api = (path: string) => fetch(`${journey.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const recorded = await api('/api/reports/2026-03-10');
    expect(recorded.status).toBe(200);
    expect(await recorded.json()).toMatchObject({
      date: '2026-03-10',
      forced: true,
      newSignups: 2,
      stages: { inactive: { count: 2 } },
    });
    const inactive = await api('/api/stages/inactive/users?asOf=2026-03-10T23:59:59.999Z');
    expect(((await inactive.json()) as { users: { userId: string }[] }).users.map((u) => u.userId).sort()).toEqual([
      'carol',
      'hank',
    ]);
    expect((await api('/api/reports/2026-03-01')).status).toBe(404);
    expect((await api('/api/reports/yesterday')).status).toBe(400);
  }, 120_000);

  it('the CLI with --dry-run writes the PDFs and the Slack payloads, and records and posts nothing', async () => {
    const out = join(dataDir, 'dry');
    const messagesBefore = slack.messages.length;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bin, 'report', 'run', '--date', '2026-03-09', '--dry-run', '--out', out],
      { env: { ...process.env, ...envFor(dataDir, slack) } },
    );
    expect(stdout).toContain('2026-03-09 (UTC): signed up 1, activated 1, active 1, inactive 1');
    expect((await readdir(out)).sort()).toEqual([
      'funnel-2026-03-09-activated.pdf',
      'funnel-2026-03-09-active.pdf',
      'funnel-2026-03-09-inactive.pdf',
      'funnel-2026-03-09-signedUp.pdf',
      'slack-2026-03-09.json',
    ]);
    const payload = JSON.parse(await readFile(join(out, 'slack-2026-03-09.json'), 'utf8')) as {
      messages: { stage: string; channel: string; replies: string[] }[];
    };
    expect(payload.messages.map((m) => [m.stage, m.channel, m.replies.length])).toEqual([
      ['signedUp', '#portal-analytics', 1],
      ['activated', '#portal-analytics', 1],
      ['active', '#portal-analytics', 1],
      ['inactive', '#portal-analytics', 1],
    ]);
    expect(slack.messages).toHaveLength(messagesBefore);
    const { reports } = await readRecordedReports(journey.container.get<EventStore>(EventStoreToken));
    expect(reports.map((r) => r.date)).not.toContain('2026-03-09');
  }, 120_000);
});
