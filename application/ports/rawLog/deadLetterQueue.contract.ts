import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetterQueue } from './deadLetterQueue.ts';

export type DeadLetterQueueUnderTest = DeadLetterQueue & { close(): Promise<void> };

/** The DeadLetterQueue contract, run by every adapter's spec. */
export const describeDeadLetterQueueContract = (
  name: string,
  factory: () => Promise<DeadLetterQueueUnderTest> | DeadLetterQueueUnderTest,
): void => {
  describe(`${name} (DeadLetterQueue contract)`, () => {
    let queue: DeadLetterQueueUnderTest;
    beforeEach(async () => {
      queue = await factory();
    });
    afterEach(async () => {
      await queue.close();
    });

    const fill = async () => {
      await queue.reject([{ stage: 'collector', reason: 'userId: needs a userId', payload: { type: 'track', n: 1 } }]);
      await queue.reject([
        {
          stage: 'mapper',
          reason: 'rule r1 cannot map',
          payload: { type: 'track', messageId: 'm-2', deep: { a: [1, 'ü'] } },
        },
      ]);
      await queue.reject([{ stage: 'collector', reason: 'event must be a JSON object', payload: 42 }]);
      return queue.listRejected();
    };

    it('gets a letter by its listed id, with the same stage, reason, time and payload', async () => {
      const listed = await fill();
      expect(listed.map((d) => d.reason)).toEqual([
        'event must be a JSON object',
        'rule r1 cannot map',
        'userId: needs a userId',
      ]);
      for (const letter of listed) expect(await queue.getRejected(letter.id)).toEqual(letter);
      expect((await queue.getRejected(listed[1]?.id ?? ''))?.payload).toEqual({
        type: 'track',
        messageId: 'm-2',
        deep: { a: [1, 'ü'] },
      });
    });

    it('answers undefined for an id that never was or is not an id, instead of throwing', async () => {
      await fill();
      for (const id of ['999999', '0', '-1', 'abc', '', '1.5', '１'])
        expect(await queue.getRejected(id)).toBeUndefined();
    });

    it('removes one letter by id, once, and leaves the others with their ids', async () => {
      const [newest, middle, oldest] = await fill();
      expect(await queue.removeRejected(middle?.id ?? '')).toBe(true);
      expect(await queue.removeRejected(middle?.id ?? '')).toBe(false);
      expect(await queue.getRejected(middle?.id ?? '')).toBeUndefined();
      expect((await queue.listRejected()).map((d) => d.id)).toEqual([newest?.id, oldest?.id]);
      expect(await queue.removeRejected('abc')).toBe(false);
    });

    it('never reuses the id of a removed letter', async () => {
      const [newest] = await fill();
      await queue.removeRejected(newest?.id ?? '');
      await queue.reject([{ stage: 'collector', reason: 'later', payload: null }]);
      const [latest] = await queue.listRejected({ limit: 1 });
      expect(latest?.reason).toBe('later');
      expect(latest?.id).not.toBe(newest?.id);
    });
  });
};
