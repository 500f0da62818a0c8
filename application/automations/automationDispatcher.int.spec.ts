import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileAutomations } from '../../domain/automations/compileAutomations.ts';
import { WebhookSender } from '../../infrastructure/http/webhookSender.ts';
import { SqliteAutomationStore } from '../../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import { WEBHOOK_SECRET } from '../../testing/automations/automationsFixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/automations/webhookReceiver.ts';
import { sqliteTestFiles } from '../../testing/sqliteTestFiles.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { delivery } from '../ports/automationStore/automationStore.fixtures.ts';
import { systemClock } from '../ports/clock.ts';
import { AutomationDispatcher } from './automationDispatcher.ts';

const MAX_ATTEMPTS = 4;
let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
let receiver: WebhookReceiver;
let store: SqliteAutomationStore | undefined;
let dispatcher: AutomationDispatcher | undefined;
beforeAll(async () => {
  files = await sqliteTestFiles('automation-delivery');
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await dispatcher?.stop();
  await store?.close();
});
afterAll(async () => {
  await receiver.close();
  await files.remove();
});

/** a running worker over a fresh outbox, delivering the welcome webhook to the receiver */
const running = (): SqliteAutomationStore => {
  const automations = compileAutomations(
    {
      version: 1,
      automations: [
        {
          id: 'welcome-email',
          when: { event: 'UserSignedUp' },
          do: { webhook: { url: receiver.url, secret: WEBHOOK_SECRET } },
        },
      ],
    },
    'spec',
  );
  store = new SqliteAutomationStore(files.file());
  dispatcher = new AutomationDispatcher(store, automations, { webhook: new WebhookSender() }, systemClock, {
    rules: { maxAgeMs: 3_600_000, windowDays: 15 },
    maxAttempts: MAX_ATTEMPTS,
    baseBackoffMs: 50,
    pollMs: 20,
  });
  dispatcher.start();
  return store;
};

const enqueue = (outbox: SqliteAutomationStore, id: string) =>
  outbox.update((w) => w.enqueue(delivery(id), new Date().toISOString()));

const arrivalsOf = (id: string) => receiver.received.filter((r) => r.id === id);

describe('automation webhooks through a real receiver', () => {
  it('signs every request, and a receiver answering 500 then 200 gets the delivery once, under one id', async () => {
    receiver.answer((_, attempt) => ({ status: attempt === 1 ? 500 : 200 }));
    const outbox = running();
    await enqueue(outbox, 'welcome-email:flaky');
    await waitUntil(
      'the delivery to be delivered',
      async () => (await outbox.get('welcome-email:flaky'))?.status === 'delivered',
    );
    expect(arrivalsOf('welcome-email:flaky').map((r) => r.attempt)).toEqual([1, 2]);
    expect(receiver.acceptedIds().has('welcome-email:flaky')).toBe(true);
    expect(arrivalsOf('welcome-email:flaky')[0]?.body).toMatchObject({
      automation: 'welcome-email',
      user: { id: 'ada', email: 'ada@example.com' },
      event: { type: 'UserSignedUp', data: { email: 'ada@example.com' } },
    });
    expect(receiver.badSignatures).toBe(0);
  });

  it('a receiver answering 429 with Retry-After: 2 is not asked again before those 2 seconds', async () => {
    receiver.answer((_, attempt) =>
      attempt === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    const outbox = running();
    await enqueue(outbox, 'welcome-email:busy');
    await waitUntil(
      'the delivery to be delivered',
      async () => (await outbox.get('welcome-email:busy'))?.status === 'delivered',
    );
    const [first, second, ...more] = arrivalsOf('welcome-email:busy');
    expect(more).toEqual([]);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1_990);
    expect(await outbox.get('welcome-email:busy')).toMatchObject({ attempts: 2 });
  });

  it(`a receiver answering 500 forever ends failed after ${MAX_ATTEMPTS} attempts, and a retry sends it again`, async () => {
    receiver.answer(() => ({ status: 500 }));
    const outbox = running();
    await enqueue(outbox, 'welcome-email:down');
    await waitUntil('the delivery to fail', async () => (await outbox.get('welcome-email:down'))?.status === 'failed');
    expect(arrivalsOf('welcome-email:down')).toHaveLength(MAX_ATTEMPTS);
    expect((await outbox.get('welcome-email:down'))?.lastError).toContain(`gave up after ${MAX_ATTEMPTS} attempts`);
    receiver.answer(() => ({ status: 200 }));
    await outbox.retry('welcome-email:down', new Date().toISOString());
    await waitUntil(
      'the retried delivery to arrive',
      async () => (await outbox.get('welcome-email:down'))?.status === 'delivered',
    );
    expect(new Set(arrivalsOf('welcome-email:down').map((r) => r.id))).toEqual(new Set(['welcome-email:down']));
  });

  it('a 404 needs a fix, not retries: failed at once, saying what to do', async () => {
    receiver.answer(() => ({ status: 404 }));
    const outbox = running();
    await enqueue(outbox, 'welcome-email:lost');
    await waitUntil('the delivery to fail', async () => (await outbox.get('welcome-email:lost'))?.status === 'failed');
    expect(arrivalsOf('welcome-email:lost')).toHaveLength(1);
    expect((await outbox.get('welcome-email:lost'))?.lastError).toContain(
      'answered HTTP 404; fix the URL or the receiver',
    );
  });
});
