import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertDispatcher } from '../../application/alerts/alertDispatcher.ts';
import { systemClock } from '../../application/ports/clock.ts';
import type { AlertDraft } from '../../domain/alerts/alert.ts';
import { type FakeSlack, startFakeSlack } from '../../testing/slack/fakeSlack.ts';
import { sqliteTestFiles } from '../../testing/sqliteTestFiles.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { SqliteAlertStore } from '../sqlite/alertStore/sqliteAlertStore.ts';
import { SlackNotifier } from './slackNotifier.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
let slack: FakeSlack;
let file: string;
const running: { stop(): Promise<void> }[] = [];
const stores: SqliteAlertStore[] = [];

beforeAll(async () => {
  files = await sqliteTestFiles('alerter');
});
afterAll(async () => {
  await files.remove();
});
beforeEach(async () => {
  slack = await startFakeSlack({ knownChannels: ['#journey-alerts', '#deploys'] });
  file = files.file();
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const s of stores.splice(0)) await s.close();
  await slack.close();
});

const signup = (userId: string): AlertDraft => ({
  key: `signup:${userId}`,
  kind: 'signup',
  userId,
  occurredAt: new Date().toISOString(),
  content: {
    headline: 'New user signed up',
    facts: [
      ['User', userId],
      ['Email', `${userId}@example.com`],
    ],
  },
});

const notifier = (timeoutMs = 2_000) =>
  new SlackNotifier({ token: 'xoxb-test', apiUrl: slack.apiUrl, publicUrl: 'https://journey.test', timeoutMs });

const alerter = (options: { channel?: string; timeoutMs?: number; baseBackoffMs?: number } = {}) => {
  const store = new SqliteAlertStore(file);
  stores.push(store);
  const dispatcher = new AlertDispatcher(store, notifier(options.timeoutMs), systemClock, {
    channelFor: (kind) => (kind === 'deploy-failed' ? '#deploys' : (options.channel ?? '#journey-alerts')),
    baseBackoffMs: options.baseBackoffMs ?? 50,
    pollMs: 20,
  });
  return { store, dispatcher, raise: (a: AlertDraft) => store.update((w) => w.raise(a, new Date().toISOString())) };
};

/** 8 s: a liveness bound for one alert's delivery, not a performance assertion */
const until = (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 8_000) =>
  waitUntil(what, check, { timeoutMs, intervalMs: 10 });

const postCalls = () => slack.calls.filter((c) => c.method === 'chat.postMessage');

describe('the alerter against a fake Slack (real WebClient)', () => {
  it('posts Block Kit with the key as metadata, records the ts, and never posts a key twice', async () => {
    const { store, dispatcher, raise } = alerter();
    await raise(signup('ada'));
    expect(await dispatcher.drainOnce()).toBe(1);
    expect(await dispatcher.drainOnce()).toBe(0);
    await raise(signup('ada'));
    expect(await dispatcher.drainOnce()).toBe(0);
    expect(slack.keysPosted()).toEqual(['signup:ada']);
    const [message] = slack.messages;
    expect(message?.metadata).toEqual({ event_type: 'journey_alert', event_payload: { key: 'signup:ada' } });
    expect(JSON.stringify(message?.blocks)).toContain('https://journey.test/api/users/ada/journey');
    expect(await store.get('signup:ada')).toMatchObject({
      status: 'posted',
      ts: message?.ts,
      channel: message?.channel,
    });
  });

  it('is woken in-process when alerts are raised', async () => {
    const { store, dispatcher, raise } = alerter();
    dispatcher.start();
    running.push(dispatcher);
    await raise(signup('bea'));
    await until('the post', async () => (await store.get('signup:bea'))?.status === 'posted');
  });

  it('honours 429 Retry-After', async () => {
    const { store, dispatcher, raise } = alerter();
    slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    await raise(signup('cy'));
    dispatcher.start();
    running.push(dispatcher);
    await until('the post', async () => (await store.get('signup:cy'))?.status === 'posted');
    const [first, second] = postCalls();
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(slack.keysPosted()).toEqual(['signup:cy']);
  });

  it('retries 5xx with exponential backoff, looking the key up before each retry', async () => {
    const { store, dispatcher, raise } = alerter({ baseBackoffMs: 100 });
    slack.failNext('chat.postMessage', { status: 500 }, 2);
    await raise(signup('dee'));
    dispatcher.start();
    running.push(dispatcher);
    await until('the post', async () => (await store.get('signup:dee'))?.status === 'posted');
    const at = postCalls().map((c) => c.at);
    expect(at).toHaveLength(3);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(100);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(200);
    expect(slack.calls.filter((c) => c.method === 'conversations.history')).toHaveLength(2);
    expect(await store.get('signup:dee')).toMatchObject({ attempts: 3 });
  });

  it('treats a hung call as a network error and retries it', async () => {
    const { store, dispatcher, raise } = alerter({ timeoutMs: 200 });
    slack.failNext('chat.postMessage', 'hang');
    await raise(signup('eve'));
    dispatcher.start();
    running.push(dispatcher);
    await until('the post', async () => (await store.get('signup:eve'))?.status === 'posted');
    expect(slack.keysPosted()).toEqual(['signup:eve']);
  });

  it('posts an alert raised while another post hangs without waiting for it (a pipeline, not waves)', async () => {
    const { store, dispatcher, raise } = alerter({ timeoutMs: 5_000 });
    slack.failNext('chat.postMessage', 'hang');
    dispatcher.start();
    running.push(dispatcher);
    await raise(signup('kim'));
    await until('the hung post to reach Slack', () => postCalls().length === 1);
    await raise(signup('lou'));
    await until('the later alert', async () => (await store.get('signup:lou'))?.status === 'posted');
    // kim's first attempt is still hanging: no timeout recorded, nothing posted for it yet
    expect(await store.get('signup:kim')).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await store.get('signup:kim'))?.lastError).toBeUndefined();
    await until('the hung one, retried', async () => (await store.get('signup:kim'))?.status === 'posted', 15_000);
    expect(slack.keysPosted().sort()).toEqual(['signup:kim', 'signup:lou']);
  });

  it('marks a permanent error failed with what to fix, and goes on with the rest', async () => {
    const { store, dispatcher, raise } = alerter({ channel: '#nowhere' });
    await raise(signup('fay'));
    await raise({ ...signup('gus'), key: 'deploy-failed:d1', kind: 'deploy-failed' });
    await dispatcher.drainOnce();
    const failed = await store.get('signup:fay');
    expect(failed?.status).toBe('failed');
    expect(failed?.lastError).toMatch(/channel_not_found: channel #nowhere .*SLACK_ALERT_CHANNEL/);
    expect(slack.keysPosted()).toEqual(['deploy-failed:d1']);
    expect((await store.listAlerts({ status: 'failed' })).map((a) => a.key)).toEqual(['signup:fay']);
  });

  it('after a crash between the post and its record, finds the message instead of posting again', async () => {
    const first = alerter();
    await first.raise(signup('hal'));
    // what a crashed alerter leaves: an attempt counted, the message at Slack, no ts recorded
    await first.store.beginAttempt('signup:hal');
    await notifier().post({ ...signup('hal'), channel: '#journey-alerts' });
    await first.store.close();
    const restarted = alerter();
    await restarted.dispatcher.drainOnce();
    expect(slack.keysPosted()).toEqual(['signup:hal']);
    expect(await restarted.store.get('signup:hal')).toMatchObject({ status: 'posted', ts: slack.messages[0]?.ts });
  });

  it('resumes after a restart what was left pending', async () => {
    const first = alerter({ baseBackoffMs: 200 });
    slack.failNext('chat.postMessage', { status: 500 });
    await first.raise(signup('ian'));
    await first.dispatcher.drainOnce();
    expect(await first.store.get('signup:ian')).toMatchObject({ status: 'pending', attempts: 1 });
    await first.store.close();
    const restarted = alerter();
    restarted.dispatcher.start();
    running.push(restarted.dispatcher);
    await until('the post', async () => (await restarted.store.get('signup:ian'))?.status === 'posted');
    expect(slack.keysPosted()).toEqual(['signup:ian']);
  });

  it("replies in the parent's thread, and folds a burst of counts into the latest", async () => {
    const { store, dispatcher, raise } = alerter();
    const parent: AlertDraft = { ...signup('jo'), key: 'error:jo:E:t', kind: 'error' };
    await raise(parent);
    await raise({
      ...parent,
      key: 'error:jo:E:t#2',
      parentKey: parent.key,
      content: { headline: 'Seen 2 times', facts: [] },
    });
    await raise({
      ...parent,
      key: 'error:jo:E:t#3',
      parentKey: parent.key,
      content: { headline: 'Seen 3 times', facts: [] },
    });
    await dispatcher.drainOnce();
    const [top, reply, ...rest] = slack.messages;
    expect(rest).toEqual([]);
    expect(reply).toMatchObject({ threadTs: top?.ts, text: 'Seen 3 times' });
    expect(await store.get('error:jo:E:t#2')).toMatchObject({ status: 'skipped' });
  });
});
