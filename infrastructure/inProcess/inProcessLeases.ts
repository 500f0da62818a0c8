import type { Clock } from '../../application/ports/clock.ts';
import type { LeaseGrant, LeaseState, Leases } from '../../application/ports/lease/lease.ts';

type Held = { epoch: number; holder: string; expiresAt: number };

/**
 * Leases for the embedded default, where one process owns every SQLite file: the roles are
 * held in memory, so there is nothing to fence against but this process's own workers.
 * `sibling()` gives another view of the same roles (a test's second "replica").
 */
export class InProcessLeases implements Leases {
  constructor(
    private readonly clock: Clock,
    private readonly held: Map<string, Held> = new Map(),
  ) {}

  sibling(): InProcessLeases {
    return new InProcessLeases(this.clock, this.held);
  }

  async tryAcquire(role: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    const now = this.clock.now();
    const current = this.held.get(role);
    if (current && current.expiresAt > now) return undefined;
    const epoch = (current?.epoch ?? 0) + 1;
    this.held.set(role, { epoch, holder, expiresAt: now + ttlMs });
    return { role, epoch, holder };
  }

  async renew(grant: LeaseGrant, ttlMs: number): Promise<boolean> {
    const current = this.held.get(grant.role);
    if (current?.epoch !== grant.epoch) return false;
    current.expiresAt = this.clock.now() + ttlMs;
    return true;
  }

  async release(grant: LeaseGrant): Promise<void> {
    const current = this.held.get(grant.role);
    if (current?.epoch === grant.epoch) current.expiresAt = this.clock.now();
  }

  async current(role: string): Promise<LeaseState | undefined> {
    const current = this.held.get(role);
    if (!current) return undefined;
    const expiresInMs = Math.max(0, current.expiresAt - this.clock.now());
    return { role, epoch: current.epoch, holder: current.holder, expiresInMs };
  }

  async close(): Promise<void> {}
}
