/**
 * Wakes pollers as soon as this process writes, so embedded latency is not the poll
 * interval; they still poll, because another process may be writing to the same file.
 */
export class WakeSignal {
  private waiters = new Set<() => void>();
  /** bumped on every notify: a poller that read before a write does not sleep through it */
  private count = 0;

  get generation(): number {
    return this.count;
  }

  notify(): void {
    this.count++;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** resolves on the next notify, after `timeoutMs`, on abort, or at once if a notify came since `since` */
  wait(timeoutMs: number, since: number, abort?: AbortSignal): Promise<void> {
    if (this.count !== since || abort?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        abort?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      abort?.addEventListener('abort', done, { once: true });
    });
  }
}

/** a sleep that ends early on abort */
export const sleep = (ms: number, abort?: AbortSignal): Promise<void> => new WakeSignal().wait(ms, 0, abort);
