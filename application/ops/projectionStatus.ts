import type { EventStore, Position } from '../ports/eventStore/eventStore.ts';
import { comparePositions } from '../ports/eventStore/eventStore.ts';
import type { ProjectionState, RebuildTarget } from '../ports/rebuildTarget.ts';

export type ProjectionStatus = ProjectionState & {
  /** events in the store after the checkpoint, counted up to `lagCap` (default 100,000: counting reads them) */
  readonly lag: number;
  readonly lagCapped: boolean;
  /** events applied per second over the sample, when sampled */
  readonly eventsPerSecond?: number;
};

const PAGE = 10_000;

/** Counts the events after `from` up to `until` (inclusive; the head when absent), stopping at `cap`. */
export const countEventsAfter = async (
  eventStore: EventStore,
  streamPrefix: string,
  from: Position | null,
  options: { readonly until?: Position | null; readonly cap: number },
): Promise<{ readonly count: number; readonly capped: boolean }> => {
  let count = 0;
  let at = from;
  for (;;) {
    const page = await eventStore.readAll({ ...(at ? { fromPosition: at } : {}), streamPrefix, maxCount: PAGE });
    for (const event of page) {
      if (options.until && comparePositions(event.position, options.until) > 0) return { count, capped: false };
      if (count >= options.cap) return { count, capped: true };
      count++;
    }
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) return { count, capped: false };
    at = last.position;
  }
};

/**
 * Each projection's version, checkpoint and lag behind the store's head; with `sampleMs`,
 * also how fast its checkpoint moves (the live projector's events/s), from two looks.
 */
export const projectionStatuses = async (
  eventStore: EventStore,
  targets: readonly RebuildTarget[],
  options: { readonly sampleMs?: number; readonly lagCap?: number } = {},
): Promise<ProjectionStatus[]> => {
  const cap = options.lagCap ?? 100_000;
  const first = await Promise.all(targets.map((t) => t.state()));
  const started = performance.now();
  if (options.sampleMs) await new Promise((resolve) => setTimeout(resolve, options.sampleMs));
  const seconds = (performance.now() - started) / 1000;
  return Promise.all(
    targets.map(async (target, i) => {
      const before = first[i] as ProjectionState;
      const state = options.sampleMs ? await target.state() : before;
      const lag = await countEventsAfter(eventStore, target.streamPrefix, state.checkpoint, { cap });
      if (!options.sampleMs) return { ...state, lag: lag.count, lagCapped: lag.capped };
      const moved =
        state.checkpoint === null
          ? { count: 0 }
          : await countEventsAfter(eventStore, target.streamPrefix, before.checkpoint, {
              until: state.checkpoint,
              cap: Number.MAX_SAFE_INTEGER,
            });
      const eventsPerSecond = moved.count / seconds;
      return { ...state, lag: lag.count, lagCapped: lag.capped, eventsPerSecond };
    }),
  );
};
