import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { partitionKeyOf } from '../../../domain/raw/ingestRawEvent.ts';
import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';
import {
  eventually,
  expectDeliveredInOrder,
  expectPending,
  messageIdsOf,
  payloadMessageIds,
  type RawLogSemantics,
  Recorder,
  rawEvent,
} from './rawLog.fixtures.ts';
import type { RawLog } from './rawLog.ts';

const byPartition = (events: readonly IngestedEvent[]): Map<string, string[]> => {
  const map = new Map<string, string[]>();
  for (const e of events) map.set(partitionKeyOf(e), [...(map.get(partitionKeyOf(e)) ?? []), e.messageId]);
  return map;
};

/** a gate a handler waits at until the test opens it */
const gate = () => {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
};

/** `semantics`: what the log declared it keeps (see RawLogCapabilities) */
export const describeRawLogDeliveryContract = (logOf: () => RawLog, semantics: RawLogSemantics): void => {
  const { ordered } = semantics;
  describe('publish and consume', () => {
    it('delivers published events in publish order, first attempt counted 1', async () => {
      const log = logOf();
      const events = [rawEvent('u1'), rawEvent('u1'), rawEvent('u1')];
      expect(await log.publish(events)).toEqual({ stored: 3, duplicates: 0 });
      expect(await log.publish([])).toEqual({ stored: 0, duplicates: 0 });
      const recorder = new Recorder().start(log, { group: 'mapper' });
      await recorder.until(3);
      expect(messageIdsOf(recorder.handled)).toEqual(messageIdsOf(events));
      expect(recorder.handled[0]).toEqual(events[0]);
      expect(recorder.deliveries.every((d) => d.deliveryCount === 1)).toBe(true);
      await recorder.stop();
    });

    it('delivers events published after the consumer started', async () => {
      const log = logOf();
      const recorder = new Recorder().start(log, { group: 'mapper' });
      await sleep(20);
      const events = [rawEvent('u1'), rawEvent('u2')];
      await log.publish(events);
      await recorder.until(2);
      expectDeliveredInOrder(recorder.handled, events, ordered);
      await recorder.stop();
    });

    it.runIf(semantics.exactDuplicates)(
      `suppresses messageIds already in the log, within one publish and across publishes${semantics.exactDuplicates ? '' : ' [not applicable: the log groups publishes into messages (exactDuplicates: false); the next test states what it keeps]'}`,
      async () => {
        const log = logOf();
        const [a, b, c] = [rawEvent('u1'), rawEvent('u1'), rawEvent('u1')];
        if (!a || !b || !c) throw new Error('unreachable');
        expect(await log.publish([a, b])).toEqual({ stored: 2, duplicates: 0 });
        expect(await log.publish([b, c, { ...c, properties: { changed: true } }])).toEqual({
          stored: 1,
          duplicates: 2,
        });
        const recorder = new Recorder().start(log, { group: 'mapper' });
        await recorder.until(3);
        await eventually(async () => (await log.pending('mapper')) === 0, 'everything acknowledged');
        expect(messageIdsOf(recorder.handled)).toEqual(messageIdsOf([a, b, c]));
        expect(recorder.handled[2]).toEqual(c);
        await recorder.stop();
      },
    );

    it('suppresses repeats within one publish and a repeated publish; an event repeated in another publish arrives at least once, first version first', async () => {
      const log = logOf();
      const [a, b, c] = [rawEvent('u1'), rawEvent('u1'), rawEvent('u1')];
      if (!a || !b || !c) throw new Error('unreachable');
      expect(await log.publish([a, b])).toEqual({ stored: 2, duplicates: 0 });
      expect(await log.publish([a, b])).toEqual({ stored: 0, duplicates: 2 });
      const receipt = await log.publish([b, c, { ...c, properties: { changed: true } }]);
      expect(receipt.stored + receipt.duplicates).toBe(3);
      expect(receipt.duplicates).toBeGreaterThanOrEqual(1);
      const recorder = new Recorder().start(log, { group: 'mapper' });
      await recorder.until(2 + receipt.stored);
      await eventually(async () => (await log.pending('mapper')) === 0, 'everything acknowledged');
      const handled = messageIdsOf(recorder.handled);
      expect([...new Set(handled)]).toEqual(messageIdsOf([a, b, c]));
      // only b, sent again in another publish, may come twice; c's repeat never comes
      expect(handled.filter((id) => id !== b.messageId)).toEqual(messageIdsOf([a, c]));
      expect(recorder.handled.find((e) => e.messageId === c.messageId)).toEqual(c);
      await recorder.stop();
    });

    it('keeps each partition in publish order and delivers every event once, in batches of at most batchSize', async () => {
      const log = logOf();
      const published: IngestedEvent[] = [];
      for (let i = 0; i < 10; i++) {
        const batch = [rawEvent('u1'), rawEvent('u2'), rawEvent('device-9', { anonymous: true }), rawEvent('u3')];
        const chunk = i % 2 === 0 ? batch : batch.reverse();
        published.push(...chunk);
        await log.publish(chunk);
      }
      const recorder = new Recorder().start(log, { group: 'mapper', batchSize: 4 });
      await recorder.until(published.length);
      await eventually(async () => (await log.pending('mapper')) === 0, 'everything acknowledged');
      expect(recorder.handled).toHaveLength(published.length);
      expect(byPartition(recorder.handled)).toEqual(byPartition(published));
      expect(recorder.deliveries.every((d) => d.events.length >= 1 && d.events.length <= 4)).toBe(true);
      await recorder.stop();
    });
  });

  describe('acknowledgement and retries', () => {
    it('redelivers what a throwing handler got, counting the attempts, and keeps partition order', async () => {
      const log = logOf();
      const events = [rawEvent('u1'), rawEvent('u2'), rawEvent('u1'), rawEvent('u2')];
      await log.publish(events);
      const recorder = new Recorder((d) => (d.deliveryCount < 3 ? 'not yet' : undefined));
      recorder.start(log, { group: 'mapper', batchSize: 2 });
      await recorder.until(4);
      await eventually(async () => (await log.pending('mapper')) === 0, 'everything acknowledged');
      const first = events[0]?.messageId;
      const attemptsOfFirst = recorder.deliveries.filter((d) => d.events.some((e) => e.messageId === first));
      expect(attemptsOfFirst.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
      expect(byPartition(recorder.handled)).toEqual(byPartition(events));
      await recorder.stop();
    });

    it('dead-letters a delivery after maxDeliveries with the error as reason, and carries on', async () => {
      const log = logOf();
      const poison = rawEvent('u1');
      const events = [rawEvent('u1'), poison, rawEvent('u1')];
      await log.publish(events);
      const recorder = new Recorder((d) =>
        d.events.some((e) => e.messageId === poison.messageId) ? 'rule r1 cannot map this event' : undefined,
      );
      recorder.start(log, { group: 'mapper', batchSize: 1, maxDeliveries: 3 });
      await eventually(() => recorder.handled.some((e) => e.messageId === events[2]?.messageId), 'the event after');
      await eventually(async () => (await log.pending('mapper')) === 0, 'everything acknowledged');
      const poisoned = recorder.deliveries.filter((d) => d.events.some((e) => e.messageId === poison.messageId));
      expect(poisoned.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
      const [dead, ...others] = await log.listRejected();
      expect(others).toEqual([]);
      expect(dead?.stage).toBe('mapper');
      expect(dead?.reason).toContain('rule r1 cannot map this event');
      expect(payloadMessageIds(dead?.payload)).toEqual([poison.messageId]);
      expect(messageIdsOf(recorder.handled)).toEqual([events[0]?.messageId, events[2]?.messageId]);
      await recorder.stop();
    });

    it('retries past maxDeliveries, and never dead-letters, while the storage is at fault', async () => {
      const log = logOf();
      const events = [rawEvent('u1'), rawEvent('u1')];
      await log.publish(events);
      const recorder = new Recorder((d) =>
        d.deliveryCount <= 4 ? new UnavailableError('the event store is unavailable; retrying') : undefined,
      );
      recorder.start(log, { group: 'mapper', batchSize: 2, maxDeliveries: 2 });
      await recorder.until(2);
      await eventually(async () => (await log.pending('mapper')) === 0, 'everything acknowledged');
      expect(recorder.deliveries.map((d) => d.deliveryCount)).toEqual([1, 2, 3, 4, 5]);
      expect(await log.listRejected()).toEqual([]);
      expect(messageIdsOf(recorder.handled)).toEqual(messageIdsOf(events));
      await recorder.stop();
    });

    it('counts as pending what the group has not acknowledged yet', async () => {
      const log = logOf();
      expect(await log.pending('mapper')).toBe(0);
      await log.publish([rawEvent('u1'), rawEvent('u1'), rawEvent('u1')]);
      await expectPending(log, 'mapper', 3, semantics);
      const held = gate();
      const consumer = log.consume({ group: 'mapper', batchSize: 10 }, () => held.opened);
      try {
        await sleep(30);
        await expectPending(log, 'mapper', 3, semantics);
      } finally {
        held.open();
      }
      await eventually(async () => (await log.pending('mapper')) === 0, 'pending 0 after the handler resolved');
      await consumer.stop();
    });

    it('gives two groups their own offsets', async () => {
      const log = logOf();
      const events = [rawEvent('u1'), rawEvent('u2')];
      await log.publish(events);
      const mapper = new Recorder().start(log, { group: 'mapper' });
      await mapper.until(2);
      await eventually(async () => (await log.pending('mapper')) === 0, 'mapper acknowledged');
      await expectPending(log, 'audit', 2, semantics);
      const audit = new Recorder().start(log, { group: 'audit' });
      await audit.until(2);
      expectDeliveredInOrder(audit.handled, events, ordered);
      await Promise.all([mapper.stop(), audit.stop()]);
    });

    it('stop() waits for the delivery in flight, acknowledges it, and fetches nothing more', async () => {
      const log = logOf();
      await log.publish([rawEvent('u1')]);
      const held = gate();
      let started = false;
      let finished = false;
      const consumer = log.consume({ group: 'mapper' }, async () => {
        started = true;
        await held.opened;
        finished = true;
      });
      await eventually(() => started, 'the delivery to start');
      let stopped = false;
      const stopping = consumer.stop().then(() => {
        stopped = true;
      });
      await sleep(30);
      try {
        expect(stopped).toBe(false);
      } finally {
        held.open();
      }
      await stopping;
      expect(finished).toBe(true);
      expect(await log.pending('mapper')).toBe(0);
      await log.publish([rawEvent('u1')]);
      await sleep(50);
      expect(await log.pending('mapper')).toBe(1);
    });

    it('resumes a group where its last consumer stopped', async () => {
      const log = logOf();
      const events = [rawEvent('u1'), rawEvent('u1'), rawEvent('u1'), rawEvent('u1')];
      await log.publish(events.slice(0, 2));
      const first = new Recorder().start(log, { group: 'mapper' });
      await first.until(2);
      await first.stop();
      await log.publish(events.slice(2));
      const second = new Recorder().start(log, { group: 'mapper' });
      await second.until(2);
      expect(messageIdsOf(second.handled)).toEqual(messageIdsOf(events.slice(2)));
      await second.stop();
    });
  });
};
