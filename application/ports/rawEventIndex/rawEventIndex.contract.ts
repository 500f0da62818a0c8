import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mappedOutcome, rawEvent, rejectedOutcome, unmappedOutcome } from './rawEventIndex.fixtures.ts';
import type { RawEventFilter, RawEventIndex } from './rawEventIndex.ts';

export type RawEventIndexFactory = () => Promise<{ index: RawEventIndex; cleanup: () => Promise<void> }>;

const ids = (list: readonly { messageId: string }[]) => list.map((e) => e.messageId);

/** The RawEventIndex contract: every adapter runs it. */
export const describeRawEventIndexContract = (name: string, factory: RawEventIndexFactory): void => {
  describe(`RawEventIndex contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<RawEventIndexFactory>> | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const indexOf = (): RawEventIndex => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture.index;
    };
    const all = async (filter: RawEventFilter = {}) => ids((await indexOf().query(filter, { limit: 100 })).events);

    it('lists stored events as pending, newest first, with the raw event as stored', async () => {
      const index = indexOf();
      const first = rawEvent('m1', 1, { anonymousId: 'anon-1' });
      await index.record({ stored: [first, rawEvent('m3', 3), rawEvent('m2', 3)] });
      await index.record({ stored: [rawEvent('m1', 1, { event: 'Changed' })] }); // a redelivery changes nothing
      expect(await all()).toEqual(['m3', 'm2', 'm1']);
      const [, , oldest] = (await index.query({}, { limit: 10 })).events;
      expect(oldest).toEqual({
        messageId: 'm1',
        type: 'track',
        event: 'Button Clicked',
        userId: 'ada',
        anonymousId: 'anon-1',
        timestamp: first.timestamp,
        receivedAt: first.receivedAt,
        status: 'pending',
        journeyEvents: [],
        raw: first,
      });
    });

    it('keeps the outcome whichever of stored and outcome comes first', async () => {
      const index = indexOf();
      const early = rawEvent('m1', 1);
      const late = rawEvent('m2', 2);
      await index.record({ stored: [early] });
      await index.record({ outcomes: [mappedOutcome(early), rejectedOutcome(late, 'rule x: bad field')] });
      await index.record({ stored: [early, late] });
      const { events } = await index.query({}, { limit: 10 });
      expect(events.map((e) => [e.messageId, e.status, e.reason])).toEqual([
        ['m2', 'rejected', 'rule x: bad field'],
        ['m1', 'mapped', undefined],
      ]);
      expect(events[1]?.journeyEvents).toEqual([
        { id: 'je-m1-deployment-started', type: 'DeploymentStarted', rule: 'deployment-started' },
      ]);
      expect(events[0]?.raw).toEqual(late);
    });

    it('filters by user (with linked anonymous events), anonymous id, type, event and status', async () => {
      const index = indexOf();
      const before = rawEvent('a1', 1, { userId: undefined, anonymousId: 'anon-1' });
      const page = rawEvent('p1', 2, { type: 'page', event: undefined, userId: 'bob' } as never);
      await index.record({ stored: [before, page, rawEvent('t1', 3, { event: 'Signed Up' })] });
      await index.record({ outcomes: [unmappedOutcome(page)] });
      expect(await all({ userId: 'ada' })).toEqual(['t1']);
      await index.record({ links: [{ anonymousId: 'anon-1', userId: 'ada' }] });
      // an event stored after the link is found by the user too
      await index.record({ stored: [rawEvent('a2', 4, { userId: undefined, anonymousId: 'anon-1' })] });
      expect(await all({ userId: 'ada' })).toEqual(['a2', 't1', 'a1']);
      const linked = (await index.query({ userId: 'ada' }, { limit: 1 })).events[0];
      expect([linked?.userId, linked?.linkedUserId]).toEqual([undefined, 'ada']);
      // the first link wins, as in the mapper
      await index.record({ links: [{ anonymousId: 'anon-1', userId: 'eve' }] });
      expect(await all({ userId: 'eve' })).toEqual([]);
      expect(await all({ anonymousId: 'anon-1' })).toEqual(['a2', 'a1']);
      expect(await all({ type: 'page' })).toEqual(['p1']);
      expect(await all({ event: 'Signed Up' })).toEqual(['t1']);
      expect(await all({ status: 'unmapped' })).toEqual(['p1']);
      expect(await all({ status: 'pending', userId: 'ada', event: 'Button Clicked' })).toEqual(['a2', 'a1']);
    });

    it('pages newest first with a cursor that lands after ties', async () => {
      const index = indexOf();
      await index.record({ stored: ['m1', 'm2', 'm3', 'm4', 'm5'].map((id, i) => rawEvent(id, Math.floor(i / 2))) });
      const first = await index.query({}, { limit: 2 });
      expect(ids(first.events)).toEqual(['m5', 'm4']);
      expect(first.next).toEqual({ receivedAt: first.events[1]?.receivedAt, messageId: 'm4' });
      const second = await index.query({}, { limit: 2, ...(first.next ? { before: first.next } : {}) });
      expect(ids(second.events)).toEqual(['m3', 'm2']);
      const last = await index.query({}, { limit: 2, ...(second.next ? { before: second.next } : {}) });
      expect(ids(last.events)).toEqual(['m1']);
      expect(last.next).toBeUndefined();
    });

    it('numbers every change, again when the status changes, and follows with a filter', async () => {
      const index = indexOf();
      expect(await index.headVersion()).toBe(0);
      const ada = rawEvent('m1', 1);
      await index.record({ stored: [ada, rawEvent('m2', 2, { userId: 'bob' })] });
      const start = await index.changesSince(0, { userId: 'ada' }, 10);
      expect(start.changes.map((c) => [c.messageId, c.status])).toEqual([['m1', 'pending']]);
      expect(start.version).toBe(await index.headVersion());
      await index.record({ outcomes: [mappedOutcome(ada)] });
      await index.record({ outcomes: [mappedOutcome(ada)] }); // the same outcome again is no change
      await index.record({ stored: [ada] });
      const next = await index.changesSince(start.version, { userId: 'ada' }, 10);
      expect(next.changes.map((c) => [c.messageId, c.status])).toEqual([['m1', 'mapped']]);
      expect(next.changes[0]?.version).toBeGreaterThan(start.version);
      expect((await index.changesSince(next.version, {}, 10)).changes).toEqual([]);
      const limited = await index.changesSince(0, {}, 1);
      expect(limited.changes.map((c) => c.messageId)).toEqual(['m2']);
      expect(limited.version).toBe(limited.changes[0]?.version);
    });

    it('prunes the events received before a cutoff, at most `limit` at a time', async () => {
      const index = indexOf();
      await index.record({ stored: ['m1', 'm2', 'm3', 'm4'].map((id, i) => rawEvent(id, i)) });
      const cutoff = rawEvent('x', 3).receivedAt;
      expect(await index.prune(cutoff, 2)).toBe(2);
      expect(await index.prune(cutoff, 2)).toBe(1);
      expect(await index.prune(cutoff, 2)).toBe(0);
      expect(await all()).toEqual(['m4']);
      const head = await index.headVersion();
      await index.record({ stored: [rawEvent('m5', 5)] });
      expect(await index.headVersion()).toBeGreaterThan(head);
    });
  });
};
