import { setImmediate } from 'node:timers/promises';
import { comparePositions, type EventStore, type Position } from '../application/ports/eventStore/eventStore.ts';
import type { RebuildLockHolder, RebuildTarget, SwapResult } from '../application/ports/rebuildTarget.ts';

export type RebuildPhase = 'replay' | 'index' | 'swap';

export type RebuildProgress = {
  readonly phase: RebuildPhase;
  /** events replayed so far (each applied to every projection being rebuilt) */
  readonly done: number;
  /** events to replay, estimated from the positions until the replay reaches the head */
  readonly total: number;
};

export type RebuildOutcome = SwapResult & { readonly name: string; readonly events: number; readonly seconds: number };

export type RebuildOptions = {
  readonly holder: RebuildLockHolder;
  readonly verify?: boolean;
  /** events per read (default 1,000: the shadows commit about once a second whatever the batch; see ProjectionRunner's BULK_READ_SIZE) */
  readonly batchSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
};

const DEFAULT_BATCH_SIZE = 1000;
const YIELD_EVERY_MS = 100;

/** how far `at` is from the start towards `head`, from positions alone (any adapter's) */
const fractionOf = (at: Position, head: Position): number =>
  head.commit <= 0n ? 1 : Math.min(1, Number(at.commit) / Number(head.commit));

/**
 * Rebuilds projections while the live ones keep serving: each gets empty shadow tables for
 * its next version; one reader replays the event store from the start and hands each batch
 * to every shadow (one read and one JSON parse per event, whatever the number of
 * projections); the shadows get their query indexes; then each swap catches its shadow up
 * with the head and installs it in one transaction. Each projection is locked for the whole
 * rebuild; a failure drops the shadows and leaves the live versions as they were.
 */
export const rebuildProjections = async (
  eventStore: EventStore,
  targets: readonly RebuildTarget[],
  options: RebuildOptions,
): Promise<RebuildOutcome[]> => {
  const prefixes = new Set(targets.map((t) => t.streamPrefix));
  if (prefixes.size > 1) {
    const outcomes: RebuildOutcome[] = [];
    for (const prefix of prefixes) {
      outcomes.push(
        ...(await rebuildProjections(
          eventStore,
          targets.filter((t) => t.streamPrefix === prefix),
          options,
        )),
      );
    }
    return outcomes;
  }
  const streamPrefix = targets[0]?.streamPrefix;
  if (streamPrefix === undefined) return [];
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const report = options.onProgress ?? (() => {});
  const locked: RebuildTarget[] = [];
  try {
    for (const target of targets) {
      await target.lock(options.holder);
      locked.push(target);
    }
    const started = performance.now();
    for (const target of targets) await target.beginShadow();

    const head = await eventStore.headPosition({ streamPrefix });
    let done = 0;
    let from: Position | undefined;
    let yielded = performance.now();
    report({ phase: 'replay', done, total: 0 });
    // up to the head seen at the start; the swap applies what came after, under its lock
    while (head && !(from && comparePositions(from, head) >= 0)) {
      const batch = await eventStore.readAll({
        ...(from ? { fromPosition: from } : {}),
        streamPrefix,
        maxCount: batchSize,
      });
      const last = batch[batch.length - 1];
      if (!last) break;
      for (const target of targets) await target.applyToShadow(batch);
      // a local store's reads resolve at once: let timers and messages in (the progress bar,
      // the other thread's progress) now and then
      if (performance.now() - yielded >= YIELD_EVERY_MS) {
        await setImmediate();
        yielded = performance.now();
      }
      done += batch.length;
      from = last.position;
      const fraction = fractionOf(last.position, head);
      report({ phase: 'replay', done, total: fraction >= 1 ? done : Math.max(done, Math.round(done / fraction)) });
    }
    report({ phase: 'index', done, total: done });
    for (const target of targets) await target.indexShadow();

    report({ phase: 'swap', done, total: done });
    const outcomes: RebuildOutcome[] = [];
    for (const target of targets) {
      let tail = 0;
      const swapped = await target.swap(
        async (after) => {
          const batch = await eventStore.readAll({
            ...(after ? { fromPosition: after } : {}),
            streamPrefix,
            maxCount: batchSize,
          });
          tail += batch.length;
          return batch;
        },
        { verify: options.verify ?? false },
      );
      outcomes.push({
        ...swapped,
        name: target.name,
        events: done + tail,
        seconds: (performance.now() - started) / 1000,
      });
    }
    return outcomes;
  } catch (error) {
    for (const target of targets) await target.dropShadow();
    throw error;
  } finally {
    for (const target of locked) await target.unlock(options.holder);
  }
};
