import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../application/ports/clock.ts';
import { type EventStore, EventStoreToken } from '../../../application/ports/eventStore/eventStore.ts';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { rebuildProjections } from '../../../projections/rebuildProjections.ts';
import { WEBHOOK_SECRET } from '../../../testing/automations/automationsFixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../testing/automations/webhookReceiver.ts';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import { journeyEnv, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type FakeSlack, startFakeSlack } from '../../../testing/slack/fakeSlack.ts';
import { sleep } from '../../../testing/sleep.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import { rebuildableProjectionsOf, rebuildTargetOf } from '../../projector/rebuildTargets.ts';
import type { RunningJourney } from '../startJourney.ts';

const track = (userId: string, event: string, at: number) => ({
  type: 'track',
  userId,
  event,
  messageId: `${event}-${userId}`,
  timestamp: new Date(at).toISOString(),
  properties: { email: `${userId}@example.com` },
});

/** the timers' states in automations.db, by user */
const timerStates = (dataDir: string): Record<string, string> => {
  const db = new Database(join(dataDir, 'automations.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[], { user_id: string; status: string }>('SELECT user_id, status FROM automation_timers')
      .all();
    return Object.fromEntries(rows.map((r) => [r.user_id, r.status]));
  } finally {
    db.close();
  }
};

describe('automations end to end', () => {
  let data: TempDataDir;
  let receiver: WebhookReceiver;
  let slack: FakeSlack;
  let journey: RunningJourney | undefined;
  beforeEach(async () => {
    data = await tempDataDir('automations-e2e');
    receiver = await startWebhookReceiver();
    slack = await startFakeSlack({ knownChannels: ['#journey-alerts', '#onboarding'] });
  });
  afterEach(async () => {
    await journey?.stop();
    journey = undefined;
    await receiver.close();
    await slack.close();
    await data.remove();
  });

  const automationsEnv = () => ({
    JOURNEY_AUTOMATIONS: join(data.dir, 'automations.json'),
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slack.apiUrl,
  });

  const start = async () => {
    const file = join(data.dir, 'automations.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        automations: [
          {
            id: 'stuck',
            when: { after: 'UserSignedUp', wait: 'PT2S', unless: ['ProjectCreated'] },
            do: { webhook: { url: receiver.url, secret: WEBHOOK_SECRET } },
          },
          {
            id: 'welcome-slack',
            when: { event: 'UserSignedUp', where: { 'user.email': { matches: '@example\\.com$' } } },
            do: { slack: { channel: '#onboarding', text: '{{user.email}} just signed up ({{event.type}})' } },
          },
        ],
      }),
    );
    journey = await startTestJourney(data.dir, automationsEnv());
    return journey;
  };

  it('a sign-up with no project fires once after the wait, a project in between cancels it, a restart fires nothing again', async () => {
    const running = await start();
    const now = Date.now();
    const batch = [
      track('ada', 'Signed Up', now),
      track('bob', 'Signed Up', now),
      track('bob', 'Project Created', now + 500),
    ];
    expect((await postBatch(running.url ?? '', TEST_WRITE_KEY, batch)).status).toBe(200);

    await waitUntil('the timer webhook for ada', () => receiver.acceptedIds().size === 1, {
      timeoutMs: 30_000,
      lastSeen: () => ({ timers: timerStates(data.dir), received: receiver.received.length }),
    });
    await waitUntil('both timers to end', () => Object.values(timerStates(data.dir)).every((s) => s !== 'waiting'));
    expect(timerStates(data.dir)).toEqual({ ada: 'fired', bob: 'cancelled' });
    const [ada] = receiver.received;
    expect(ada?.body).toMatchObject({ automation: 'stuck', user: { id: 'ada', email: 'ada@example.com' } });
    expect(ada?.body.trigger).toMatchObject({ kind: 'timer', eventType: 'UserSignedUp' });
    // the alerter posts its own sign-up alerts; the automation posts to #onboarding
    const onboarding = () => slack.messages.filter((m) => m.text.includes('just signed up'));
    await waitUntil('both Slack messages', () => onboarding().length === 2);
    expect(
      onboarding()
        .map((m) => m.text)
        .sort(),
    ).toEqual(['ada@example.com just signed up (UserSignedUp)', 'bob@example.com just signed up (UserSignedUp)']);

    await running.stop();
    journey = undefined;
    const again = await start();
    await pipelineSettled(again);
    await sleep(2_500); // more than two timer ticks: time for a wrong second firing to show
    expect(receiver.received.map((r) => r.id)).toEqual([ada?.id]);
    expect(onboarding()).toHaveLength(2);
    expect(receiver.badSignatures).toBe(0);

    // a rebuild of the automations' state while Journey serves: the outbox is kept, nothing is sent again
    const config = loadConfig(journeyEnv(data.dir, automationsEnv()));
    expect(rebuildableProjectionsOf(config)).toContain('automations');
    const target = rebuildTargetOf(config, 'automations', systemClock);
    try {
      const holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      const [outcome] = await rebuildProjections(again.container.get<EventStore>(EventStoreToken), [target], {
        holder,
        verify: true,
      });
      expect(outcome?.name).toBe('automations');
      expect(outcome?.version).toBe(2);
    } finally {
      await target.close();
    }
    // ada's timer is re-created due, bob's cancelled: the tick fires ada's under a delivery id that exists
    await waitUntil('the timers to end again', () =>
      Object.values(timerStates(data.dir)).every((s) => s !== 'waiting'),
    );
    await sleep(2_500); // more than two timer ticks
    expect(timerStates(data.dir)).toEqual({ ada: 'fired', bob: 'cancelled' });
    expect(receiver.received.map((r) => r.id)).toEqual([ada?.id]);
    expect(onboarding()).toHaveLength(2);
  }, 180_000);

  it('offers automations for rebuild only with an automations file, and says what to set otherwise', () => {
    const config = loadConfig(journeyEnv(data.dir));
    expect(rebuildableProjectionsOf(config)).not.toContain('automations');
    expect(() => rebuildTargetOf(config, 'automations', systemClock)).toThrow(/set JOURNEY_AUTOMATIONS/);
  });
});
