/**
 * Leases for singleton roles (the alerter, the slow-deployment timer, the reporter, each
 * projection): any number of replicas ask, one holds the role until its lease runs out or it
 * lets go. Every grant has an epoch, one higher than the role's previous grant; a fenced write
 * carries it and is refused once a later epoch exists, so a paused old holder cannot undo a
 * newer one's work.
 */
export type LeaseGrant = {
  readonly role: string;
  /** increases with every grant of the role, never reused */
  readonly epoch: number;
  /** who holds it: host, pid and app, to find it in logs */
  readonly holder: string;
};

/** what the store says about a role now */
export type LeaseState = LeaseGrant & {
  /** 0 once run out: the next `tryAcquire` takes it */
  readonly expiresInMs: number;
};

export interface Leases {
  /** takes the role when nobody holds it or its lease ran out; undefined while another holds it */
  tryAcquire(role: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined>;
  /**
   * extends the grant by `ttlMs` from now; false once a later epoch exists. A grant that ran out
   * and that nobody took since is renewed: nobody else acted meanwhile.
   */
  renew(grant: LeaseGrant, ttlMs: number): Promise<boolean>;
  /** lets the role go now, so a standby takes it without waiting for the lease to run out */
  release(grant: LeaseGrant): Promise<void>;
  current(role: string): Promise<LeaseState | undefined>;
  close(): Promise<void>;
}

export const LeasesToken = Symbol.for('journey.Leases');
