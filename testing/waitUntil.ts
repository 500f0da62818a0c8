import { sleep } from './sleep.ts';

export type WaitOptions = {
  /** a liveness bound that fails a hung test, not a performance assertion; default 15 000 */
  readonly timeoutMs?: number;
  /** default 20 */
  readonly intervalMs?: number;
  /** what the failure message shows of the state last seen */
  readonly lastSeen?: () => unknown;
};

/** Polls `check` until it holds; fails after `timeoutMs` naming `what` it waited for. */
export const waitUntil = async (
  what: string,
  check: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> => {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const seen = options.lastSeen
        ? `; last seen: ${JSON.stringify(options.lastSeen(), null, 1)?.slice(0, 2_000)}`
        : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await sleep(options.intervalMs ?? 20);
  }
};
