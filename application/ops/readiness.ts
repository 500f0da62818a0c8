import type { EventStore } from '../ports/eventStore/eventStore.ts';
import type { RawLog } from '../ports/rawLog/rawLog.ts';
import { type FollowedProjection, projectionLag } from './projectionLag.ts';

export type ReadinessCheck = { readonly name: string; readonly ok: boolean; readonly detail: string };
export type Readiness = { readonly ready: boolean; readonly checks: readonly ReadinessCheck[] };

/** What this process depends on; a part left out is not checked (a collector has no projections). */
export type ReadinessSources = {
  readonly rawLog?: Pick<RawLog, 'pending'>;
  readonly eventStore?: Pick<EventStore, 'headPosition' | 'readAll'>;
  /** projections whose read models this process serves; they must be within `maxLagEvents` */
  readonly projections?: readonly FollowedProjection[];
  readonly maxLagEvents: number;
  /** a check that takes longer fails, so a hung server cannot hang the probe */
  readonly timeoutMs: number;
  readonly now: () => number;
};

const withTimeout = async <T>(work: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const projectionBehindMessage = (name: string, maxLagEvents: number, seconds: number): string =>
  `projection ${name} is more than ${maxLagEvents} events behind the event store (oldest unapplied recorded ${seconds.toFixed(1)} s ago); wait for it to catch up, or check that the projector runs`;

const check = async (name: string, ms: number, run: () => Promise<string>): Promise<ReadinessCheck> => {
  try {
    return { name, ok: true, detail: await withTimeout(run(), ms, name) };
  } catch (error) {
    return { name, ok: false, detail: reasonOf(error) };
  }
};

/**
 * Whether this process can do its work now: the raw log and the event store answer, and the
 * read models it serves are at most `maxLagEvents` behind the store. Each check says why it
 * failed, so the 503 of /readyz tells an operator where to look.
 */
export const checkReadiness = async (sources: ReadinessSources): Promise<Readiness> => {
  const { rawLog, eventStore, timeoutMs } = sources;
  const checks: Promise<ReadinessCheck>[] = [];
  if (rawLog) {
    checks.push(
      check(
        'rawLog',
        timeoutMs,
        async () => `reachable, ${await rawLog.pending('mapper')} events waiting for the mapper`,
      ),
    );
  }
  if (eventStore) {
    checks.push(
      check('eventStore', timeoutMs, async () => {
        const head = await eventStore.headPosition();
        return head === null ? 'reachable, empty' : `reachable, head at ${head.commit}`;
      }),
    );
    for (const projection of sources.projections ?? []) {
      checks.push(
        check(`projection:${projection.name}`, timeoutMs, async () => {
          const lag = await projectionLag(eventStore, projection, sources.maxLagEvents + 1, sources.now());
          if (lag.events > sources.maxLagEvents) {
            throw new Error(projectionBehindMessage(projection.name, sources.maxLagEvents, lag.seconds));
          }
          return `${lag.events} events behind (bound ${sources.maxLagEvents})`;
        }),
      );
    }
  }
  const done = await Promise.all(checks);
  return { ready: done.every((c) => c.ok), checks: done };
};
