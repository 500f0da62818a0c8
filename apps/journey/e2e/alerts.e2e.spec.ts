import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlertStore, AlertStoreToken } from '../../../application/ports/alertStore/alertStore.ts';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import { TEST_API_TOKEN as API_TOKEN, journeyEnv, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { type FakeSlack, startFakeSlack } from '../../../testing/slack/fakeSlack.ts';
import { sleep } from '../../../testing/sleep.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import type { AppName } from '../appNames.ts';
import { type RunningJourney, startJourney } from '../startJourney.ts';

const bin = join(import.meta.dirname, '../../../bin/journey.js');

const envFor = (dataDir: string, slack: FakeSlack): Record<string, string> =>
  journeyEnv(dataDir, {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slack.apiUrl,
    JOURNEY_PUBLIC_URL: 'https://journey.test',
  });

const signups = (...users: string[]) =>
  users.map((userId) => ({
    type: 'track',
    userId,
    event: 'Signed Up',
    messageId: `signup-${userId}`,
    timestamp: new Date().toISOString(),
    properties: { email: `${userId}@example.com` },
  }));

describe('Slack alerts end to end', () => {
  let data: TempDataDir;
  let slack: FakeSlack;
  let journey: RunningJourney | undefined;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    data = await tempDataDir('alerts-e2e');
    slack = await startFakeSlack();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await journey?.stop();
    journey = undefined;
    await slack.close();
    await data.remove();
  });

  const start = async (apps?: readonly AppName[]) => {
    journey = await startJourney(loadConfig(envFor(data.dir, slack)), apps);
    return journey.url ?? '';
  };

  it('a sign-up through the collector posts exactly one Slack message; the same batch again posts nothing', async () => {
    const url = await start();
    expect((await postBatch(url, TEST_WRITE_KEY, signups('ada'))).status).toBe(200);
    await waitUntil('the Slack message', () => slack.messages.length === 1);
    expect(slack.keysPosted()).toEqual(['signup:ada']);
    expect(JSON.stringify(slack.messages[0]?.blocks)).toContain('ada@example.com');

    expect(await (await postBatch(url, TEST_WRITE_KEY, signups('ada'))).json()).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
    const response = await fetch(`${url}/api/alerts?kind=signup`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const body = (await response.json()) as { alerts: { key: string; status: string; ts: string }[] };
    expect(body.alerts).toEqual([
      expect.objectContaining({ key: 'signup:ada', status: 'posted', ts: slack.messages[0]?.ts }),
    ]);
    await sleep(300);
    expect(slack.messages).toHaveLength(1);
    expect(
      (await fetch(`${url}/api/alerts?status=sent`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status,
    ).toBe(400);
  });

  it('the timer raises a slow deployment; its completion replies in the thread', async () => {
    const url = await start();
    const track = (event: string, minutesAgo: number) => ({
      type: 'track',
      userId: 'noa',
      event,
      messageId: `${event}-d7`,
      timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
      properties: { deploymentId: 'd7', projectId: 'p1' },
    });
    expect((await postBatch(url, TEST_WRITE_KEY, [track('Deployment Started', 11)])).status).toBe(200);
    // the timer ticks every 5 s
    await waitUntil('the slow-deployment alert', () => slack.keysPosted().includes('deploy-slow:d7'));
    expect((await postBatch(url, TEST_WRITE_KEY, [track('Deployment Completed', 0)])).status).toBe(200);
    await waitUntil('the reply', () => slack.messages.length === 2);
    const [alert, reply] = slack.messages;
    expect(reply).toMatchObject({
      threadTs: alert?.ts,
      metadata: { event_payload: { key: 'deploy-slow:d7:completed' } },
    });
    expect(reply?.text).toMatch(/^Deployment completed after 11(\.\d)? min/);
  });

  it('kill -9 between Slack answering and the alerter recording it: exactly one message per key after a restart', async () => {
    const url = await start(['collector', 'mapper', 'projector']);
    const spawnAlerter = () => {
      const child = spawn(process.execPath, [bin, 'alerter'], { env: { ...process.env, ...envFor(data.dir, slack) } });
      children.push(child);
      return child;
    };
    let child = spawnAlerter();
    let killed = 0;
    slack.onStored = () => {
      // Slack has the message and is about to answer; the alerter dies before it can read the
      // answer, let alone record the ts (killing after the answer is written raced on a busy
      // machine: the alerter could record the ts before this process got the CPU back)
      if (killed++ === 0) child.kill('SIGKILL');
    };
    const exited = new Promise((resolve) => child.once('exit', resolve));
    expect((await postBatch(url, TEST_WRITE_KEY, signups('kim', 'lee', 'max'))).status).toBe(200);
    await exited;
    // posts run in parallel: the others may have reached Slack before the kill did
    const beforeKill = slack.messages.map((m) => ({ key: m.metadata?.event_payload.key, ts: m.ts }));
    expect(beforeKill.map((m) => m.key)).toContain('signup:kim');

    child = spawnAlerter();
    const store = journey?.container.get<AlertStore>(AlertStoreToken);
    await waitUntil('all three posted', async () => (await store?.listAlerts({ status: 'posted' }))?.length === 3);
    expect(slack.keysPosted().sort()).toEqual(['signup:kim', 'signup:lee', 'signup:max']);
    for (const { key, ts } of beforeKill) {
      // found by its metadata after the restart, not posted again
      expect(await store?.get(key ?? '')).toMatchObject({ attempts: 2, ts });
    }
    expect(slack.calls.some((c) => c.method === 'conversations.history')).toBe(true);
  });
});
