import { describe, expect, it } from 'vitest';
import { InProcessLeases } from '../../infrastructure/inProcess/inProcessLeases.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { systemClock } from '../ports/clock.ts';
import type { Leases } from '../ports/lease/lease.ts';
import { LeasedRole, type LeaseHandle } from './leasedRole.ts';

const TTL = 300;

/** a replica of a role whose work records what it was given and when it was stopped */
const replica = (leases: Leases, holder: string) => {
  const seen = { handles: [] as LeaseHandle[], acting: false, stops: 0 };
  const role = new LeasedRole(
    leases,
    systemClock,
    async (lease) => {
      seen.handles.push(lease);
      seen.acting = true;
      return async () => {
        seen.acting = false;
        seen.stops++;
      };
    },
    { role: 'alerter', holder, ttlMs: TTL },
  );
  return { role, seen };
};

describe('LeasedRole', () => {
  it('of two replicas one acts; when it stops the other takes over at the next epoch', async () => {
    const leases = new InProcessLeases(systemClock);
    const a = replica(leases, 'a');
    const b = replica(leases.sibling(), 'b');
    a.role.start();
    await waitUntil('a to act', () => a.seen.acting);
    b.role.start();
    // a renews every third of the TTL: b stands by through several renewals
    await new Promise((resolve) => setTimeout(resolve, TTL * 2));
    expect([a.seen.acting, b.seen.acting]).toEqual([true, false]);
    expect(a.role.grant?.epoch).toBe(1);
    await a.role.stop();
    expect(a.seen).toMatchObject({ acting: false, stops: 1 });
    await waitUntil('b to take over', () => b.seen.acting);
    expect(b.role.grant).toEqual({ role: 'alerter', epoch: 2, holder: 'b' });
    expect(a.seen.handles[0]?.held()).toBe(false);
    expect(b.seen.handles[0]?.held()).toBe(true);
    await b.role.stop();
  });

  it('stops acting when its renewals go unanswered (a cut), and another replica takes over', async () => {
    const shared = new InProcessLeases(systemClock);
    let cut = false;
    // once cut off, nothing the replica asks comes back
    const view = shared.sibling();
    const hang = <T>(answer: () => Promise<T>): Promise<T> => (cut ? new Promise<T>(() => {}) : answer());
    const cutOff: Leases = {
      tryAcquire: (role, holder, ttlMs) => hang(() => view.tryAcquire(role, holder, ttlMs)),
      renew: (grant, ttlMs) => hang(() => view.renew(grant, ttlMs)),
      release: (grant) => hang(() => view.release(grant)),
      current: (role) => view.current(role),
      close: () => view.close(),
    };
    const a = replica(cutOff, 'a');
    const b = replica(shared, 'b');
    a.role.start();
    await waitUntil('a to act', () => a.seen.acting);
    b.role.start();
    cut = true;
    await waitUntil('a to stop acting by itself', () => !a.seen.acting);
    expect(a.seen.handles[0]?.held()).toBe(false);
    await waitUntil('b to take over', () => b.seen.acting);
    expect(b.role.grant?.epoch).toBe(2);
    expect(a.seen.stops).toBe(1);
    await b.role.stop();
  });

  it('a renewal that answers late but finds its own epoch keeps the holder acting; meanwhile it may not post', async () => {
    const leases = new InProcessLeases(systemClock);
    const ttlMs = 1_000;
    let renewals = 0;
    let heldBeforeAnswer: boolean | undefined;
    let handle: LeaseHandle | undefined;
    // the first renewal answers after 60 % of the TTL: past the point where held() turns false
    const slow: Leases = Object.assign(leases.sibling(), {
      renew: async (grant: Parameters<Leases['renew']>[0], ttl: number) => {
        if (++renewals === 1) {
          await new Promise((resolve) => setTimeout(resolve, ttlMs * 0.6));
          heldBeforeAnswer = handle?.held();
        }
        return leases.renew(grant, ttl);
      },
    });
    let stops = 0;
    const role = new LeasedRole(
      slow,
      systemClock,
      async (lease) => {
        handle = lease;
        return async () => {
          stops++;
        };
      },
      { role: 'alerter', holder: 'a', ttlMs },
    );
    role.start();
    await waitUntil('three renewals', () => renewals >= 3);
    expect(heldBeforeAnswer).toBe(false);
    expect(handle?.held()).toBe(true);
    expect([stops, role.grant?.epoch]).toEqual([0, 1]);
    await role.stop();
  });

  it('stops acting at once when a renewal says another replica holds the role', async () => {
    const leases = new InProcessLeases(systemClock);
    const a = replica(leases, 'a');
    a.role.start();
    await waitUntil('a to act', () => a.seen.acting);
    const grant = a.role.grant;
    if (!grant) throw new Error('a holds no grant');
    // as if a paused a was overtaken: its lease released behind its back and taken
    await leases.release(grant);
    expect(await leases.tryAcquire('alerter', 'c', 60_000)).toMatchObject({ epoch: 2 });
    await waitUntil('a to stop acting', () => !a.seen.acting);
    // a stands by, and the role stays with c
    expect((await leases.current('alerter'))?.holder).toBe('c');
    await a.role.stop();
    expect(a.seen.stops).toBe(1);
  });

  it('a replica whose work fails to start lets the role go and asks again', async () => {
    const leases = new InProcessLeases(systemClock);
    let attempts = 0;
    const role = new LeasedRole(
      leases,
      systemClock,
      async () => {
        attempts++;
        if (attempts === 1) throw new Error('PostgreSQL is not up yet');
        return async () => {};
      },
      { role: 'alerter', holder: 'a', ttlMs: 60_000, retryMs: 20 },
    );
    role.start();
    await waitUntil('a second start', () => attempts === 2 && role.grant !== undefined);
    expect(role.grant?.epoch).toBe(2);
    await role.stop();
  });
});
