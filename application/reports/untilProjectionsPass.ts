import { UnavailableError } from '../../domain/errors/journeyError.ts';
import { type FollowedProjection, projectionLag } from '../ops/projectionLag.ts';
import { comparePositions, type EventStore } from '../ports/eventStore/eventStore.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';

/** a projection the report waits for, and how far behind it is (counted up to a cap) */
export type ProjectionBehind = { readonly projection: string; readonly events: number; readonly atLeast: boolean };

export type ProjectionWaitOptions = {
  /** how often the checkpoints are read again (default 250 ms: a stop waits for no more than that) */
  readonly pollMs?: number;
  /** how often the wait is logged again (default 30 s) */
  readonly logEveryMs?: number;
  /** give up after this long: the report is not recorded, and the scheduler tries again (default 30 min) */
  readonly maxWaitMs?: number;
  readonly logger?: Logger;
  /** told of every check: who is still behind, [] once all have passed */
  readonly onCheck?: (behind: readonly ProjectionBehind[]) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** asked before each pause: false once the reporter stops or loses its lease, which ends the wait */
  readonly stillWanted?: () => boolean;
};

const LAG_CAP = 100_000;

/**
 * Resolves once every projection a report reads has applied every event its streams held when
 * the wait began: the report then counts everything stored up to its instant, however far a
 * projector (on another host, restarting, catching up) was behind. Waiting is logged and told to
 * `onCheck` (the reporter's metric); after `maxWaitMs` it throws UnavailableError and records
 * nothing, as a report built on a lagging read side would be wrong for good.
 */
export const untilProjectionsPass = async (
  store: Pick<EventStore, 'headPosition' | 'readAll'>,
  projections: readonly FollowedProjection[],
  what: string,
  options: ProjectionWaitOptions = {},
): Promise<void> => {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const logger = options.logger ?? silentLogger;
  const heads = await Promise.all(projections.map((p) => store.headPosition({ streamPrefix: p.streamPrefix })));
  const started = now();
  let loggedAt: number | undefined;
  for (;;) {
    const behind: ProjectionBehind[] = [];
    for (const [i, projection] of projections.entries()) {
      const head = heads[i];
      const checkpoint = await projection.readCheckpoint();
      if (head === null || head === undefined || (checkpoint !== null && comparePositions(checkpoint, head) >= 0))
        continue;
      const lag = await projectionLag(store, projection, LAG_CAP, now());
      behind.push({ projection: projection.name, events: lag.events, atLeast: lag.atLeast });
    }
    options.onCheck?.(behind);
    const waited = now() - started;
    const names = behind.map((b) => `${b.projection} (${b.atLeast ? 'at least ' : ''}${b.events} events behind)`);
    if (behind.length === 0) {
      if (loggedAt !== undefined) logger.info({ waitedMs: waited }, `${what}: the projections have caught up`);
      return;
    }
    if (waited >= (options.maxWaitMs ?? 30 * 60_000))
      throw new UnavailableError(
        `${what}: the projections ${names.join(', ')} have not caught up after ${Math.round(waited / 1000)} s, so nothing was recorded; the reporter tries again at its next run (start the projector if it is not running, or look at its logs)`,
      );
    if (options.stillWanted?.() === false)
      throw new UnavailableError(
        `${what} stopped waiting for the projections: the reporter is stopping or lost its lease`,
      );
    if (loggedAt === undefined || now() - loggedAt >= (options.logEveryMs ?? 30_000)) {
      logger.warn(
        { behind, waitedMs: waited },
        `${what} waits for the projections ${names.join(', ')} to apply what was stored before it started`,
      );
      loggedAt = now();
    }
    await sleep(options.pollMs ?? 250);
  }
};
