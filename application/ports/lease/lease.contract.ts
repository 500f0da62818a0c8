import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Leases } from './lease.ts';

/** two views of one lease store, as two replicas see it */
export type LeasesFixture = { readonly leases: Leases; readonly other: Leases; cleanup(): Promise<void> };
export type LeasesFactory = () => Promise<LeasesFixture>;

const LONG = 60_000;

/** waits (polling, never timing anything) until the role's lease has run out */
const untilRunOut = async (leases: Leases, role: string): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    if ((await leases.current(role))?.expiresInMs === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the ${role} lease did not run out in 4 s`);
};

/** The Leases contract: every adapter runs it. */
export const describeLeasesContract = (name: string, factory: LeasesFactory): void => {
  describe(`Leases contract: ${name}`, () => {
    let fixture: LeasesFixture | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const both = (): LeasesFixture => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture;
    };

    it('grants a free role at epoch 1 and refuses it to others while held', async () => {
      const { leases, other } = both();
      expect(await leases.current('alerter')).toBeUndefined();
      expect(await leases.tryAcquire('alerter', 'a', LONG)).toEqual({ role: 'alerter', epoch: 1, holder: 'a' });
      expect(await other.tryAcquire('alerter', 'b', LONG)).toBeUndefined();
      expect(await leases.tryAcquire('alerter', 'a', LONG), 'not even to the holder again').toBeUndefined();
      const state = await other.current('alerter');
      expect(state).toMatchObject({ role: 'alerter', epoch: 1, holder: 'a' });
      expect(state?.expiresInMs).toBeGreaterThan(LONG / 2);
    });

    it('after a release the next holder gets a higher epoch and the old grant cannot renew', async () => {
      const { leases, other } = both();
      const first = await leases.tryAcquire('alerter', 'a', LONG);
      if (!first) throw new Error('not granted');
      await leases.release(first);
      expect((await other.current('alerter'))?.expiresInMs).toBe(0);
      const second = await other.tryAcquire('alerter', 'b', LONG);
      expect(second).toEqual({ role: 'alerter', epoch: 2, holder: 'b' });
      expect(await leases.renew(first, LONG)).toBe(false);
      await leases.release(first); // a stale release changes nothing
      expect(await leases.tryAcquire('alerter', 'a', LONG)).toBeUndefined();
      expect(await other.current('alerter')).toMatchObject({ epoch: 2, holder: 'b' });
    });

    it('a lease that ran out is taken by the next asker; the old holder then cannot renew', async () => {
      const { leases, other } = both();
      const first = await leases.tryAcquire('alerter', 'a', 100);
      if (!first) throw new Error('not granted');
      await untilRunOut(other, 'alerter');
      expect(await other.tryAcquire('alerter', 'b', LONG)).toEqual({ role: 'alerter', epoch: 2, holder: 'b' });
      expect(await leases.renew(first, LONG)).toBe(false);
    });

    it('renewing extends the lease; a run-out lease nobody took is renewed at its epoch', async () => {
      const { leases, other } = both();
      const grant = await leases.tryAcquire('alerter', 'a', 100);
      if (!grant) throw new Error('not granted');
      await untilRunOut(other, 'alerter');
      expect(await leases.renew(grant, LONG)).toBe(true);
      expect(await other.tryAcquire('alerter', 'b', LONG)).toBeUndefined();
      const state = await other.current('alerter');
      expect(state).toMatchObject({ epoch: 1, holder: 'a' });
      expect(state?.expiresInMs).toBeGreaterThan(LONG / 2);
    });

    it('keeps roles apart: each has its own holder and epochs', async () => {
      const { leases, other } = both();
      expect(await leases.tryAcquire('alerter', 'a', LONG)).toMatchObject({ epoch: 1 });
      expect(await other.tryAcquire('reporter', 'b', LONG)).toMatchObject({ epoch: 1, holder: 'b' });
      expect(await other.tryAcquire('projection:users', 'b', LONG)).toMatchObject({ epoch: 1 });
      expect((await leases.current('reporter'))?.holder).toBe('b');
    });

    it('of many replicas asking at once for a free role exactly one gets it', async () => {
      const { leases, other } = both();
      const asks = Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? leases : other).tryAcquire('alerter', `r${i}`, LONG),
      );
      const granted = (await Promise.all(asks)).filter((g) => g !== undefined);
      expect(granted).toHaveLength(1);
      expect(granted[0]?.epoch).toBe(1);
    });
  });
};
