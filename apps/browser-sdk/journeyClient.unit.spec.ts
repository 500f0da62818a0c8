import { describe, expect, it } from 'vitest';
import { counterIds, FakeScheduler, FakeTransport } from '../../testing/browser/fakeEnvironment.ts';
import { JourneyClient } from './journeyClient.ts';
import { type KeyValueStorage, memoryStorage } from './storage.ts';

const page = { path: '/pricing', url: 'https://app.example.com/pricing', title: 'Pricing', referrer: '', search: '' };

const client = (storage: KeyValueStorage = memoryStorage(), newId = counterIds()) => {
  const scheduler = new FakeScheduler();
  const transport = new FakeTransport();
  const journey = new JourneyClient(
    { writeKey: 'wk_1', flushAt: 100 },
    { storage, transport, scheduler, newId, context: () => ({ page }) },
  );
  const sent = async () => {
    await journey.flush();
    return transport.sent.flatMap((b) => b.batch);
  };
  return { journey, sent, storage, scheduler };
};

describe('identity', () => {
  it('keeps one anonymousId across page loads until identify, then adds the userId', async () => {
    const storage = memoryStorage();
    const first = client(storage);
    first.journey.page();
    const anonymousId = first.journey.identity.current().anonymousId;
    const second = client(storage, () => 'fresh-id');
    second.journey.track('Clicked');
    second.journey.identify('ada', { email: 'ada@example.com' });
    second.journey.track('Signed Up');
    const events = await second.sent();
    expect(events.map((e) => [e.type, e.anonymousId, e.userId])).toEqual([
      ['page', anonymousId, undefined],
      ['track', anonymousId, undefined],
      ['identify', anonymousId, 'ada'],
      ['track', anonymousId, 'ada'],
    ]);
    expect(events[2]?.traits).toEqual({ email: 'ada@example.com' });
  });

  it('merges traits for the same user and starts afresh for another', () => {
    const { journey } = client();
    journey.identify('ada', { email: 'ada@example.com' });
    journey.identify('ada', { name: 'Ada' });
    expect(journey.identity.current().traits).toEqual({ email: 'ada@example.com', name: 'Ada' });
    journey.identify('bob', { name: 'Bob' });
    expect(journey.identity.current().traits).toEqual({ name: 'Bob' });
  });

  it('forgets the user and the anonymousId on reset', () => {
    const { journey } = client();
    journey.identify('ada');
    const before = journey.identity.current().anonymousId;
    journey.reset();
    expect(journey.identity.current().userId).toBeUndefined();
    expect(journey.identity.current().anonymousId).not.toBe(before);
  });
});

describe('wire events', () => {
  it('gives every event a messageId, a timestamp and the library in its context; page carries the page', async () => {
    const { journey, sent } = client();
    journey.page();
    journey.track('Element Clicked', { text: 'Buy' });
    const [viewed, clicked] = await sent();
    expect(viewed).toMatchObject({ type: 'page', properties: page, timestamp: '2026-03-01T12:00:00.000Z' });
    expect(clicked).toMatchObject({ type: 'track', event: 'Element Clicked', properties: { text: 'Buy' } });
    expect(new Set([viewed?.messageId, clicked?.messageId]).size).toBe(2);
    expect(clicked?.context).toMatchObject({ library: { name: 'journey-browser' }, page });
  });
});

describe('sessions', () => {
  const MINUTE = 60_000;
  const sessionIds = (events: readonly Record<string, unknown>[]) =>
    events.map((e) => (e.context as { sessionId?: string } | undefined)?.sessionId);

  it('sends one context.sessionId until no event was sent for longer than 30 minutes, then a new one', async () => {
    const { journey, sent, scheduler } = client();
    journey.page();
    await scheduler.advance(29 * MINUTE);
    journey.track('Clicked');
    await scheduler.advance(30 * MINUTE);
    journey.track('Clicked');
    await scheduler.advance(30 * MINUTE + 1);
    journey.page();
    const [a, b, c, d] = sessionIds(await sent());
    expect(a).toBeDefined();
    expect([b, c]).toEqual([a, a]);
    expect(d).toBeDefined();
    expect(d).not.toBe(a);
  });

  it('keeps the session across page loads and starts a new one on reset', async () => {
    const storage = memoryStorage();
    const first = client(storage, counterIds());
    first.journey.page();
    const [before] = sessionIds(await first.sent());
    const second = client(storage, () => `reload-${Math.random()}`);
    second.journey.page();
    second.journey.reset();
    second.journey.page();
    const [reloaded, afterReset] = sessionIds(await second.sent());
    expect(reloaded).toBe(before);
    expect(afterReset).not.toBe(before);
  });

  it('takes the timeout from the options', async () => {
    const scheduler = new FakeScheduler();
    const transport = new FakeTransport();
    const journey = new JourneyClient(
      { writeKey: 'wk_1', flushAt: 100, sessionTimeoutMinutes: 5 },
      { storage: memoryStorage(), transport, scheduler, newId: counterIds(), context: () => ({ page }) },
    );
    journey.page();
    await scheduler.advance(6 * MINUTE);
    journey.page();
    await journey.flush();
    const [a, b] = sessionIds(transport.sent.flatMap((body) => body.batch));
    expect(b).not.toBe(a);
  });
});
