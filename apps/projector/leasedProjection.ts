import { LeasedRole } from '../../application/leases/leasedRole.ts';
import type { Clock } from '../../application/ports/clock.ts';
import { comparePositions, type EventStore, type Position } from '../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant, Leases } from '../../application/ports/lease/lease.ts';
import { type Logger, silentLogger } from '../../application/ports/logger.ts';
import type { CheckpointedStore, Projection } from '../../projections/projection.ts';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../../projections/projectionRunner.ts';
import type { RunningProjection } from './projector.ts';

/** a projection's store for one grant: fenced by it (PostgreSQL), or the process's own (SQLite) */
export type FencedStore<Writer> = { readonly store: CheckpointedStore<Writer>; close(): Promise<void> };

/** one grant's work: a runner on the grant's store, told to report each applied batch */
export type ProjectionRun = {
  start(): void;
  stop(): Promise<void>;
  /** the stored checkpoint, which a new holder's waiters may already be past */
  readCheckpoint(): Promise<Position | null>;
  close(): Promise<void>;
};
export type OpenProjectionRun = (grant: LeaseGrant, onApplied: (position: Position) => void) => ProjectionRun;

/** the usual run: a ProjectionRunner over the store `storeFor` gives for the grant */
export const projectionRun =
  <Writer>(
    eventStore: EventStore,
    storeFor: (grant: LeaseGrant) => FencedStore<Writer>,
    projection: Projection<Writer>,
    options: Omit<ProjectionRunnerOptions, 'onApplied'> = {},
  ): OpenProjectionRun =>
  (grant, onApplied) => {
    const { store, close } = storeFor(grant);
    const runner = new ProjectionRunner(eventStore, store, projection, { ...options, onApplied });
    return {
      start: () => runner.start(),
      stop: () => runner.stop(),
      readCheckpoint: () => store.readCheckpoint(projection.name),
      close,
    };
  };

export type LeasedProjectionOptions = {
  readonly name: string;
  readonly streamPrefix: string;
  readonly leases: Leases;
  readonly clock: Clock;
  readonly holder: string;
  readonly ttlMs: number;
  readonly logger?: Logger;
};

/** the role of one projection: two projectors may split the projections, or one stands by */
export const projectionRole = (name: string): string => `projection:${name}`;

/**
 * One projection under its own lease (`projection:<name>`): this replica runs it while it holds
 * the role, on a store fenced by that grant, so a paused old holder's batch is refused once a
 * standby took over. `waitFor` is answered by whichever grant this replica applies under.
 */
export class LeasedProjection implements RunningProjection {
  private readonly role: LeasedRole;
  private checkpoint: Position | null = null;
  private waiters: { position: Position; resolve: () => void }[] = [];

  constructor(
    private readonly options: LeasedProjectionOptions,
    open: OpenProjectionRun,
  ) {
    const logger = options.logger ?? silentLogger;
    this.role = new LeasedRole(
      options.leases,
      options.clock,
      async ({ grant }) => {
        let first = true;
        const run = open(grant, (position) => {
          // the failover figure's end point: the new holder's first batch committed
          if (first)
            logger.info(
              { role: grant.role, epoch: grant.epoch, projection: options.name },
              `${grant.holder} applied its first batch of ${options.name} at epoch ${grant.epoch}`,
            );
          first = false;
          this.reached(position);
        });
        try {
          const stored = await run.readCheckpoint();
          if (stored) this.reached(stored);
        } catch (error) {
          await run.close();
          throw error;
        }
        run.start();
        return async () => {
          await run.stop();
          await run.close();
        };
      },
      { role: projectionRole(options.name), holder: options.holder, ttlMs: options.ttlMs, logger },
    );
  }

  get streamPrefix(): string {
    return this.options.streamPrefix;
  }

  start(): void {
    this.role.start();
  }

  /** stops applying and lets the role go, so a standby takes over at once */
  stop(): Promise<void> {
    return this.role.stop();
  }

  waitFor(position: Position): Promise<void> {
    if (this.checkpoint && comparePositions(this.checkpoint, position) >= 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private reached(position: Position): void {
    if (this.checkpoint && comparePositions(this.checkpoint, position) >= 0) return;
    this.checkpoint = position;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (comparePositions(position, w.position) >= 0) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
