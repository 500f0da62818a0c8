import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventually,
  expectDeliveredInOrder,
  expectPending,
  type RawLogSemantics,
  Recorder,
  rawEvent,
} from './rawLog.fixtures.ts';
import type { RawLog } from './rawLog.ts';
import { describeRawLogDeliveryContract } from './rawLogDelivery.contract.ts';

export type RawLogFixture = {
  readonly log: RawLog;
  /**
   * Opens another instance on the same storage, as a restarted process would. Absent for
   * storage that lives and dies with one instance (memory).
   */
  readonly reopen?: () => Promise<RawLog>;
  /** closes every instance the fixture opened and removes the storage */
  cleanup(): Promise<void>;
};
/**
 * A fresh, empty log per test. Configure retries to back off by a few milliseconds: the
 * contract makes handlers fail on purpose and waits for the redeliveries.
 */
export type RawLogFactory = () => Promise<RawLogFixture>;
export type RawLogCapabilities = {
  /** whether `reopen` is available; false reports the durability tests as not applicable */
  readonly reopen: boolean;
  /**
   * Whether the log also keeps the order between partition keys (one global order, as the
   * embedded logs do). The port promises order per partition key only; a partitioned log
   * (NATS JetStream) declares false, and the tests then check per-key order and that every
   * event arrived exactly once. Default true.
   */
  readonly orderedAcrossPartitions?: boolean;
  /**
   * Whether a messageId already in the log is suppressed whichever publish it comes in (the
   * embedded logs look every event up). A log that stores a publish as a few grouped messages
   * (NATS JetStream) declares false: it suppresses repeats within one publish and a repeated
   * publish of the same events (a client's retry), but an event sent again inside a different
   * publish may be delivered again. Consumers must then be idempotent by messageId, which the
   * mapper is (its event ids derive from the messageId; asserted where it runs on such a log).
   * Default true.
   */
  readonly exactDuplicates?: boolean;
  /**
   * Whether `pending` counts events (true) or the log's messages, each holding one or more
   * events (false: between 1 and the event count while anything is unacknowledged). Both
   * are 0 exactly when the group acknowledged everything, which is what Journey waits on.
   * Default true.
   */
  readonly pendingCountsEvents?: boolean;
};

export type LogFixtureOf = () => RawLogFixture;

/** The RawLog contract that the memory, SQLite and NATS JetStream adapters all pass. */
export const describeRawLogContract = (
  name: string,
  factory: RawLogFactory,
  capabilities: RawLogCapabilities,
): void => {
  describe(`RawLog contract: ${name}`, () => {
    let fixture: RawLogFixture | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const fixtureOf: LogFixtureOf = () => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture;
    };
    const logOf = () => fixtureOf().log;

    const semantics: RawLogSemantics = {
      ordered: capabilities.orderedAcrossPartitions ?? true,
      exactDuplicates: capabilities.exactDuplicates ?? true,
      pendingCountsEvents: capabilities.pendingCountsEvents ?? true,
    };
    const { ordered } = semantics;
    describeRawLogDeliveryContract(logOf, semantics);

    describe('reject and listRejected', () => {
      it('keeps rejected input with its reason, newest first, with an id and an ISO time', async () => {
        const log = logOf();
        expect(await log.listRejected()).toEqual([]);
        await log.reject([{ stage: 'collector', reason: 'type: must be track', payload: { type: 'nope' } }]);
        await log.reject([{ stage: 'collector', reason: 'userId: needs a userId', payload: { type: 'track' } }]);
        const listed = await log.listRejected();
        expect(listed.map((d) => [d.stage, d.reason, d.payload])).toEqual([
          ['collector', 'userId: needs a userId', { type: 'track' }],
          ['collector', 'type: must be track', { type: 'nope' }],
        ]);
        expect(new Set(listed.map((d) => d.id)).size).toBe(2);
        expect(listed.every((d) => d.id.length > 0 && new Date(d.at).toISOString() === d.at)).toBe(true);
        expect((await log.listRejected({ limit: 1 })).map((d) => d.reason)).toEqual(['userId: needs a userId']);
      });
    });

    const notApplicable = capabilities.reopen ? '' : ` [not applicable: ${name} cannot reopen its storage]`;
    const reopenOf = (): (() => Promise<RawLog>) => {
      const reopen = fixtureOf().reopen;
      if (!reopen) throw new Error(`${name} declares reopen but its fixture has no reopen()`);
      return reopen;
    };

    describe('durability', () => {
      it.skipIf(!capabilities.reopen)(
        `a new instance on the same storage sees what was published and acknowledged${notApplicable}`,
        async () => {
          const log = logOf();
          const events = [rawEvent('u1'), rawEvent('u1'), rawEvent('u2')];
          await log.publish(events);
          const first = new Recorder().start(log, { group: 'mapper', batchSize: 1 });
          await first.until(1);
          await first.stop();
          await log.reject([{ stage: 'collector', reason: 'bad', payload: { x: 1 } }]);
          await log.close();

          const again = await reopenOf()();
          await expectPending(again, 'mapper', 3 - first.handled.length, semantics);
          // a client retrying the whole request after the restart
          expect(await again.publish(events)).toEqual({ stored: 0, duplicates: 3 });
          if (semantics.exactDuplicates)
            expect(await again.publish([events[0] ?? rawEvent('x')])).toEqual({ stored: 0, duplicates: 1 });
          const second = new Recorder().start(again, { group: 'mapper' });
          await second.until(3 - first.handled.length);
          expectDeliveredInOrder([...first.handled, ...second.handled], events, ordered);
          await second.stop();
          await eventually(async () => (await again.pending('mapper')) === 0, 'pending 0');
          expect((await again.listRejected()).map((d) => d.reason)).toEqual(['bad']);
        },
      );
    });
  });
};
