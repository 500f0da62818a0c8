import { describe, expect, it } from 'vitest';
import { journeyStreamOf } from '../../domain/journey/journeyEvent.ts';
import { compileRules } from '../../domain/mapping/compileRules.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { MemoryRawEventIndex } from '../../testing/memory/memoryRawEventIndex.ts';
import { MemoryRawLog } from '../../testing/memory/memoryRawLog.ts';
import { RawEventRecorder } from '../explorer/rawEventRecorder.ts';
import { MapRawEvents } from '../mapping/mapRawEvents.ts';
import { eventually } from '../ports/rawLog/rawLog.fixtures.ts';
import { IngestEvents } from './ingestEvents.ts';
import { ReplayDeadLetters } from './replayDeadLetters.ts';

const rulesBefore = compileRules(defaultRules, 'rules-v1.json');
/** the fix: the sign-up email comes from traits only, so a huge properties.email no longer fails */
const fixed = structuredClone(defaultRules) as { rules: { id: string; data?: Record<string, unknown> }[] };
const signedUp = fixed.rules.find((r) => r.id === 'track-signed-up');
if (signedUp?.data) signedUp.data.email = ['traits.email'];
const rulesAfter = compileRules(fixed, 'rules-v2.json');

const badSignUp: IngestedEvent = {
  type: 'track',
  userId: 'ada',
  event: 'Signed Up',
  properties: { email: 'x'.repeat(5000) },
  messageId: 'm-signup',
  receivedAt: '2026-03-01T10:00:00.000Z',
  timestamp: '2026-03-01T10:00:00.000Z',
};

const setUp = async () => {
  const rawLog = new MemoryRawLog();
  const eventStore = new MemoryEventStore();
  const index = new MemoryRawEventIndex();
  const recorder = new RawEventRecorder(index, { flushMs: 1 });
  await new MapRawEvents(eventStore, rawLog, rulesBefore, recorder.recordMapped).handle({
    events: [badSignUp],
    deliveryCount: 1,
  });
  const replayWith = (rules = rulesAfter) =>
    new ReplayDeadLetters({
      queue: rawLog,
      rawLog,
      eventStore,
      rules,
      clock: { now: () => Date.now() },
      onMapped: recorder.recordMapped,
    });
  const journeyOf = async (userId: string) => (await eventStore.readStream(journeyStreamOf(userId))).map((e) => e.type);
  /** what the explorer shows for the bad sign-up */
  const explored = async () => {
    await recorder.flush();
    const [event] = (await index.query({}, { limit: 1 })).events;
    return event?.status;
  };
  return { rawLog, eventStore, replayWith, journeyOf, explored };
};

describe('replaying dead letters', () => {
  it('maps a mapper dead letter with the fixed rules, removes it, and a second replay adds nothing', async () => {
    const { rawLog, replayWith, journeyOf, explored } = await setUp();
    const [letter] = await rawLog.listRejected();
    expect(letter).toMatchObject({ stage: 'mapper' });
    expect(await journeyOf('ada')).toEqual([]);
    expect(await explored()).toBe('rejected');

    expect(await replayWith().replay(letter?.id ?? '')).toEqual({
      id: letter?.id,
      stage: 'mapper',
      status: 'replayed',
      detail: 'mapped with the rules of rules-v2.json',
    });
    expect(await journeyOf('ada')).toEqual(['UserSignedUp']);
    expect(await rawLog.listRejected()).toEqual([]);
    expect(await explored()).toBe('mapped');

    // as if the process died between mapping and removing: the same letter is replayed again
    await rawLog.reject([{ stage: 'mapper', reason: letter?.reason ?? '', payload: letter?.payload }]);
    expect((await replayWith().replayAll()).map((o) => o.status)).toEqual(['replayed']);
    expect(await journeyOf('ada')).toEqual(['UserSignedUp']);
  });

  it('keeps a letter the rules still refuse, shows why, and adds no second letter', async () => {
    const { rawLog, replayWith } = await setUp();
    const [letter] = await rawLog.listRejected();
    const outcome = await replayWith(rulesBefore).replay(letter?.id ?? '');
    expect(outcome.status).toBe('failing');
    expect(outcome.detail).toMatch(/track-signed-up/);
    expect(await rawLog.listRejected()).toEqual([letter]);
  });

  it('stores a collector letter that is valid now, with its source, once however often it is replayed', async () => {
    const { rawLog, replayWith } = await setUp();
    const payload = { type: 'track', userId: 'bob', event: 'Project Created' };
    const reason = 'event was refused by an older limit (source web, request index 3)';
    await rawLog.reject([{ stage: 'collector', reason, payload }]);
    await rawLog.reject([{ stage: 'collector', reason, payload }]);
    const outcomes = await replayWith().replayAll();
    expect(outcomes.map((o) => [o.stage, o.status, o.detail])).toEqual([
      ['mapper', 'replayed', 'mapped with the rules of rules-v2.json'],
      ['collector', 'replayed', 'stored in the raw log'],
      ['collector', 'replayed', 'already in the raw log (deduplicated)'],
    ]);
    expect(await rawLog.pending('mapper')).toBe(1);
    const seen: IngestedEvent[] = [];
    const consumer = rawLog.consume({ group: 'check' }, async (d) => {
      seen.push(...d.events);
    });
    await eventually(() => seen.length > 0, 'the replayed event to be delivered');
    await consumer.stop();
    expect(seen.map((e) => [e.userId, e.source, e.messageId.startsWith('dlq-')])).toEqual([['bob', 'web', true]]);
  });

  it('stamps a replayed collector letter as received when it was refused, not when it was replayed', async () => {
    const { rawLog, replayWith } = await setUp();
    // an analytics.js page view from before identify, refused for its null userId by an older version
    const payload = {
      type: 'page',
      userId: null,
      anonymousId: 'device-1',
      timestamp: '2026-02-01T09:00:00.000Z',
      sentAt: '2026-02-01T09:00:02.000Z',
    };
    await rawLog.reject([
      { stage: 'collector', reason: 'userId must be a string (source web, request index 0)', payload },
    ]);
    const [letter] = await rawLog.listRejected();
    expect((await replayWith().replayAll()).map((o) => o.status)).toEqual(['replayed', 'replayed']);
    const seen: IngestedEvent[] = [];
    const consumer = rawLog.consume({ group: 'check' }, async (d) => {
      seen.push(...d.events);
    });
    await eventually(() => seen.some((e) => e.type === 'page'), 'the replayed page view to be delivered');
    await consumer.stop();
    const refusedAt = Date.parse(letter?.at ?? '');
    expect(seen.find((e) => e.type === 'page')).toMatchObject({
      anonymousId: 'device-1',
      receivedAt: new Date(refusedAt).toISOString(),
      timestamp: new Date(refusedAt - 2_000).toISOString(), // the client's clock skew corrected, as then
    });
  });

  it('keeps a collector letter that is still invalid, with the reason of today', async () => {
    const { rawLog, replayWith } = await setUp();
    await new IngestEvents(rawLog, { now: () => Date.now() }, () => 'x').execute({
      source: 'web',
      events: [{ type: 'track', event: 'No One' }],
    });
    const [letter] = await rawLog.listRejected();
    const outcome = await replayWith().replay(letter?.id ?? '');
    expect(outcome).toMatchObject({ stage: 'collector', status: 'failing' });
    expect(outcome.detail).toContain('needs a userId or an anonymousId');
    expect(await rawLog.listRejected()).toHaveLength(2);
  });

  it('says when there is no such letter', async () => {
    const { replayWith } = await setUp();
    expect(await replayWith().replay('4242')).toMatchObject({
      status: 'missing',
      detail: expect.stringContaining('journey dlq list'),
    });
  });
});
