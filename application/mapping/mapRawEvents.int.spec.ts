import { describe, expect, it } from 'vitest';
import { ANONYMOUS_STREAM_PREFIX } from '../../domain/identity/identityLinkOf.ts';
import { journeyStreamOf } from '../../domain/journey/journeyEvent.ts';
import { compileRules } from '../../domain/mapping/compileRules.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import { type IngestedEvent, rawEventSchema } from '../../domain/raw/rawEvent.ts';
import { activitiesOf, activityStreamOf, anonymousActivityStreamOf } from '../../domain/sessions/activity.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { MemoryRawLog } from '../../testing/memory/memoryRawLog.ts';
import { MapRawEvents } from './mapRawEvents.ts';

let n = 0;
/** a raw event as the collector would have stored it */
const raw = (event: Record<string, unknown>): IngestedEvent => {
  const parsed = rawEventSchema.parse(event);
  const timestamp =
    (event.timestamp as string | undefined) ?? `2026-03-01T10:00:${String(n % 60).padStart(2, '0')}.000Z`;
  return {
    ...parsed,
    messageId: (event.messageId as string | undefined) ?? `m-${++n}`,
    receivedAt: timestamp,
    timestamp,
  };
};

const setUp = () => {
  const store = new MemoryEventStore();
  const rawLog = new MemoryRawLog();
  const mapper = new MapRawEvents(store, rawLog, compileRules(defaultRules, 'default rules'));
  const deliver = (...events: IngestedEvent[]) => mapper.handle({ events, deliveryCount: 1 });
  const journeyOf = async (userId: string) => (await store.readStream(journeyStreamOf(userId))).map((e) => e.type);
  return { store, rawLog, mapper, deliver, journeyOf };
};

describe('the mapper', () => {
  it("appends mapped events to the user's journey stream with event time, source and rule", async () => {
    const { store, deliver } = setUp();
    await deliver(
      raw({
        type: 'track',
        userId: 'u1',
        event: 'Signed Up',
        messageId: 'sig-1',
        timestamp: '2026-03-01T10:00:00.000Z',
      }),
    );
    const [event] = await store.readStream('journey-u1');
    expect(event).toMatchObject({
      type: 'UserSignedUp',
      metadata: { occurredAt: '2026-03-01T10:00:00.000Z', sourceMessageIds: ['sig-1'], ruleId: 'track-signed-up' },
    });
  });

  it('gives a redelivered message the same ids, so it is stored once', async () => {
    const { store, deliver } = setUp();
    const event = raw({ type: 'track', userId: 'u1', event: 'Project Created' });
    await deliver(event);
    await deliver(event);
    expect(await store.readStream('journey-u1')).toHaveLength(1);
  });

  it('emits every rule that matches: a failing backend deploy is both started and an error', async () => {
    const { journeyOf, deliver } = setUp();
    await deliver(
      raw({
        type: 'track',
        userId: 'u1',
        event: 'api.request',
        properties: { method: 'POST', path: '/deployments', status: 201 },
      }),
      raw({
        type: 'track',
        userId: 'u1',
        event: 'api.request',
        properties: { method: 'GET', path: '/x', status: 503 },
      }),
      raw({ type: 'track', userId: 'u1', event: 'Button Clicked' }),
    );
    expect(await journeyOf('u1')).toEqual(['DeploymentStarted', 'ErrorEncountered']);
  });

  it("joins what an anonymous visitor did to the user's journey once they identify", async () => {
    const { store, journeyOf, deliver } = setUp();
    await deliver(raw({ type: 'page', anonymousId: 'a1', properties: { path: '/' } }));
    await deliver(raw({ type: 'page', anonymousId: 'a1', properties: { path: '/pricing' } }));
    expect(await store.readStream(`${ANONYMOUS_STREAM_PREFIX}a1`)).toHaveLength(2);
    await deliver(raw({ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'u1@example.com' } }));
    expect(await journeyOf('u1')).toEqual(['UserIdentified', 'PageViewed', 'PageViewed']);
    // later anonymous events of the same device go straight to the user
    await deliver(raw({ type: 'page', anonymousId: 'a1', properties: { path: '/docs' } }));
    expect(await journeyOf('u1')).toHaveLength(4);
  });

  it('links through alias, and a second identify of the same device copies nothing twice', async () => {
    const { journeyOf, deliver } = setUp();
    await deliver(raw({ type: 'page', anonymousId: 'a2' }));
    await deliver(raw({ type: 'alias', previousId: 'a2', userId: 'u2' }));
    await deliver(raw({ type: 'identify', userId: 'u2', anonymousId: 'a2' }));
    expect(await journeyOf('u2')).toEqual(['PageViewed', 'UserIdentified']);
  });

  it('resolves the race between two mappers: anonymous event and identify handled at once', async () => {
    const { store } = setUp();
    const rawLog = new MemoryRawLog();
    const rules = compileRules(defaultRules, 'default rules');
    const one = new MapRawEvents(store, rawLog, rules);
    const two = new MapRawEvents(store, rawLog, rules);
    await Promise.all([
      one.handle({ events: [raw({ type: 'page', anonymousId: 'a3' })], deliveryCount: 1 }),
      two.handle({ events: [raw({ type: 'identify', userId: 'u3', anonymousId: 'a3' })], deliveryCount: 1 }),
    ]);
    expect((await store.readStream('journey-u3')).map((e) => e.type).sort()).toEqual(['PageViewed', 'UserIdentified']);
  });

  it('keeps the first link of an anonymous id when another user claims it later', async () => {
    const { journeyOf, deliver } = setUp();
    await deliver(raw({ type: 'page', anonymousId: 'shared' }));
    await deliver(raw({ type: 'identify', userId: 'first', anonymousId: 'shared' }));
    await deliver(raw({ type: 'identify', userId: 'second', anonymousId: 'shared' }));
    expect(await journeyOf('first')).toEqual(['UserIdentified', 'PageViewed']);
    expect(await journeyOf('second')).toEqual(['UserIdentified']);
  });

  it('dead-letters an event a rule cannot map, with the reason, and maps the rest', async () => {
    const { rawLog, journeyOf, deliver } = setUp();
    await deliver(
      raw({ type: 'track', userId: 'u4', event: 'Signed Up', properties: { email: 'x'.repeat(5000) } }),
      raw({ type: 'track', userId: 'u4', event: 'Project Created' }),
    );
    expect(await journeyOf('u4')).toEqual(['ProjectCreated']);
    const [dead] = await rawLog.listRejected();
    expect(dead).toMatchObject({ stage: 'mapper' });
    expect(dead?.reason).toMatch(/track-signed-up/);
  });

  it('records every raw event as activity, mapped or not, and joins anonymous activity on a link', async () => {
    const { store, deliver } = setUp();
    const activityOf = async (streamId: string) =>
      (await store.readStream(streamId)).flatMap((e) => (activitiesOf(e.type, e.data) ?? []).map((a) => a.messageId));
    await deliver(
      raw({ type: 'page', anonymousId: 'a5', messageId: 'p1', properties: { url: 'https://x.test/' } }),
      raw({ type: 'track', anonymousId: 'a5', messageId: 't1', event: 'Button Clicked' }),
    );
    expect(await activityOf(anonymousActivityStreamOf('a5'))).toEqual(['p1', 't1']);
    await deliver(raw({ type: 'identify', userId: 'u5', anonymousId: 'a5', messageId: 'i1' }));
    await deliver(raw({ type: 'track', anonymousId: 'a5', messageId: 't2', event: 'Button Clicked' }));
    expect((await activityOf(activityStreamOf('u5'))).sort()).toEqual(['i1', 'p1', 't1', 't2']);
    // one event per stream and delivery: the first delivery's two raw events share one
    const [recorded, ...others] = await store.readStream(anonymousActivityStreamOf('a5'));
    expect(others).toEqual([]);
    expect(recorded).toMatchObject({
      type: 'ActivitiesRecorded',
      data: { activities: [{ rawType: 'page', url: 'https://x.test/' }, { rawType: 'track' }] },
      metadata: { sourceMessageIds: ['p1', 't1'], anonymousId: 'a5' },
    });
  });

  it("records a redelivered delivery's activity once", async () => {
    const { store, deliver } = setUp();
    const events = [
      raw({ type: 'page', userId: 'u6', messageId: 'r1' }),
      raw({ type: 'track', userId: 'u6', messageId: 'r2', event: 'Button Clicked' }),
    ];
    await deliver(...events);
    await deliver(...events);
    expect(await store.readStream(activityStreamOf('u6'))).toHaveLength(1);
  });
});
