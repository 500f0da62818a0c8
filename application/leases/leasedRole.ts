import type { Clock } from '../ports/clock.ts';
import type { LeaseGrant, Leases } from '../ports/lease/lease.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';

/** what the worker acting for a role is given */
export type LeaseHandle = {
  readonly grant: LeaseGrant;
  /**
   * false once the lease may have run out (no renewal confirmed lately: a pause, a cut): ask it
   * right before a side effect no fence can stop, such as posting to Slack
   */
  held(): boolean;
};

export type LeasedRoleOptions = {
  readonly role: string;
  /** who this replica is, in the lease row and the logs */
  readonly holder: string;
  readonly ttlMs: number;
  /** how often a standby asks for the role; default a tenth of the TTL, at least 100 ms */
  readonly retryMs?: number;
  readonly logger?: Logger;
};

/** starts the role's work for one grant; resolves with its stop */
export type Act = (lease: LeaseHandle) => Promise<() => Promise<void>>;

/**
 * One replica's part in a singleton role: while standing by it asks for the lease; once granted
 * it runs `act` and renews every third of the TTL. `held()` turns false once no renewal was
 * confirmed for most of the TTL (no more Slack posts); the work stops when a renewal finds a
 * newer epoch or none was confirmed for the whole TTL. Fenced writes refuse whatever a paused
 * holder still tries after a takeover.
 */
export class LeasedRole {
  private stopped = true;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private holding: LeaseGrant | undefined;
  private renewFailed = false;

  constructor(
    private readonly leases: Leases,
    private readonly clock: Clock,
    private readonly act: Act,
    private readonly options: LeasedRoleOptions,
  ) {}

  /** the grant this replica acts on now, if any */
  get grant(): LeaseGrant | undefined {
    return this.holding;
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /** stops acting and lets the role go, so a standby takes over at once */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /** renewals not confirmed for this long: no more side effects (a margin before the lease runs out on the server) */
  private get validMs(): number {
    return this.options.ttlMs - Math.min(1_000, this.options.ttlMs / 5);
  }

  private async loop(): Promise<void> {
    const { role, holder, ttlMs } = this.options;
    const retryMs = this.options.retryMs ?? Math.max(100, ttlMs / 10);
    let failing = false;
    while (!this.stopped) {
      const askedAt = this.clock.now();
      let grant: LeaseGrant | undefined;
      try {
        grant = await this.leases.tryAcquire(role, holder, ttlMs);
        failing = false;
      } catch (error) {
        if (!failing) this.logger.warn({ err: error, role }, `cannot ask for the ${role} lease; asking again`);
        failing = true;
      }
      // after holding, too: a role whose work fails at once must not be taken back in a tight loop
      if (grant) await this.hold(grant, askedAt);
      if (!this.stopped) await this.sleep(retryMs);
    }
  }

  private async hold(grant: LeaseGrant, askedAt: number): Promise<void> {
    const { role, ttlMs } = this.options;
    let confirmedAt = askedAt;
    let lost: string | undefined;
    this.renewFailed = false;
    const handle: LeaseHandle = {
      grant,
      held: () => lost === undefined && !this.stopped && this.clock.now() - confirmedAt < this.validMs,
    };
    this.logger.info(
      { role, epoch: grant.epoch, holder: grant.holder },
      `${grant.holder} took the ${role} lease (epoch ${grant.epoch}) and acts as ${role}`,
    );
    let stopWork: (() => Promise<void>) | undefined;
    try {
      stopWork = await this.act(handle);
      this.holding = grant;
      while (!this.stopped && lost === undefined) {
        // a third of the TTL after the last confirmed renewal: after a late one, the next goes soon
        await this.sleep(Math.max(ttlMs / 10, confirmedAt + ttlMs / 3 - this.clock.now()));
        if (this.stopped) break;
        const renewAskedAt = this.clock.now();
        const renewed = await this.renew(grant, confirmedAt);
        // a late renewal that finds our epoch is good: nobody took over meanwhile (held() said no till then)
        if (renewed === true) confirmedAt = renewAskedAt;
        else if (renewed === false) lost = `another replica took the ${role} lease`;
        else if (this.clock.now() - confirmedAt >= ttlMs)
          lost = `its lease could not be renewed for ${this.clock.now() - confirmedAt} ms`;
      }
    } catch (error) {
      lost = `starting ${role} failed (${(error as Error).message})`;
    } finally {
      this.holding = undefined;
      await stopWork?.().catch((error: unknown) =>
        this.logger.error({ err: error, role }, `stopping ${role} failed; its writes are fenced all the same`),
      );
    }
    // epoch-guarded, so harmless if another took over; not waited for after a loss (the server may be gone)
    const released = this.leases.release(grant).catch(() => undefined);
    if (lost === undefined) await released;
    if (lost !== undefined)
      this.logger.warn({ role, epoch: grant.epoch }, `${grant.holder} stopped acting as ${role}: ${lost}; standing by`);
  }

  /** true renewed, false taken by another, undefined not known (an error, or no answer before the lease ran out) */
  private async renew(grant: LeaseGrant, confirmedAt: number): Promise<boolean | undefined> {
    const leftMs = confirmedAt + this.options.ttlMs - this.clock.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.leases.renew(grant, this.options.ttlMs),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), Math.max(1, leftMs));
        }),
      ]);
    } catch (error) {
      // once per grant: a database that is down would say it every tenth of the TTL
      if (!this.renewFailed)
        this.logger.warn({ err: error, role: grant.role }, `cannot renew the ${grant.role} lease; trying again`);
      this.renewFailed = true;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }
}
