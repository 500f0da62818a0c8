import { describe, expect, it } from 'vitest';
import { followStoredEvents } from './followStoredEvents.ts';

type Copy = { read: number; copied: number; logHead: number; tookMs?: number };

/** runs the loop over scripted copies on a fake clock; returns each pause it chose */
const pausesFor = async (copies: readonly (Copy | Error)[], options: { maxRows?: number } = {}) => {
  let clock = 0;
  const pauses: number[] = [];
  let copied = 0;
  let i = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const follower = followStoredEvents(
    {
      copyStored: async () => {
        const next = copies[i++];
        if (next === undefined) {
          done();
          return new Promise(() => undefined); // parks the loop until stop
        }
        if (next instanceof Error) throw next;
        clock += next.tookMs ?? 0;
        return next;
      },
    },
    {
      flushMs: 20,
      pollMs: 100,
      ...options,
      onCopied: () => copied++,
      now: () => clock,
      sleep: async (ms) => {
        pauses.push(ms);
        clock += ms;
      },
    },
  );
  await finished;
  void follower.stop();
  return { pauses, copied };
};

describe('following the raw log by copying', () => {
  it('polls when idle, copies again after the flush pause at a light rate, and tells of each copy', async () => {
    const { pauses, copied } = await pausesFor([
      { read: 0, copied: 0, logHead: 0 },
      { read: 20, copied: 20, logHead: 20, tookMs: 1 },
      { read: 20, copied: 19, logHead: 40, tookMs: 1 },
      { read: 0, copied: 0, logHead: 40, tookMs: 1_000 },
      { read: 0, copied: 0, logHead: 40 },
    ]);
    // nothing new just after a copy: the flush pace still; a second later, the poll
    expect(pauses).toEqual([100, 20, 20, 20, 100]);
    expect(copied).toBe(2);
  });

  it('under heavy ingest copies at most a fifth of the time, in larger batches; catches up at once after', async () => {
    const { pauses } = await pausesFor(
      [
        { read: 100, copied: 100, logHead: 1_000, tookMs: 5 },
        // the log grew by 9,000 in 25 ms: heavy, so four times the copy's 40 ms
        { read: 1_000, copied: 1_000, logHead: 10_000, tookMs: 40 },
        // the load stopped: a full batch with the log not growing goes on without a pause
        { read: 1_000, copied: 1_000, logHead: 10_000, tookMs: 40 },
        { read: 500, copied: 500, logHead: 10_000, tookMs: 20 },
      ],
      { maxRows: 1_000 },
    );
    expect(pauses).toEqual([20, 160, 0, 20]);
  });

  it('retries a failed copy after a growing pause', async () => {
    const { pauses } = await pausesFor([
      new Error('disk I/O error'),
      new Error('disk I/O error'),
      { read: 0, copied: 0, logHead: 0 },
    ]);
    expect(pauses).toEqual([200, 400, 100]);
  });
});
