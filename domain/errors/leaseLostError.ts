import { JourneyError } from './journeyError.ts';

/**
 * A write fenced by a lease epoch that is no longer the role's newest: another replica took
 * the role (this one was paused, cut off or slow to renew), so the write was refused, not applied.
 */
export class LeaseLostError extends JourneyError {
  readonly role: string;
  readonly epoch: number;
  /** the role's newest epoch; undefined when it is not known (no lease row, or no renewal confirmed lately) */
  readonly current: number | undefined;
  constructor(role: string, epoch: number, current: number | undefined, doing: string) {
    super(
      'LEASE_LOST',
      `${doing} was refused: this worker holds the ${role} lease at epoch ${epoch}, but ${
        current === undefined
          ? 'the lease could not be confirmed (it may have run out, or was never granted)'
          : `epoch ${current} has been granted since`
      }; it stops acting as ${role} and stands by. Nothing to do if it is rare; if it repeats, look for pauses (GC, a stopped VM) or network cuts between this process and the database.`,
    );
    this.role = role;
    this.epoch = epoch;
    this.current = current;
  }
}

export const isLeaseLostError = (e: unknown): e is LeaseLostError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'LEASE_LOST';
