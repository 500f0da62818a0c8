import { Worker } from 'node:worker_threads';
import type { Clock } from '../../application/ports/clock.ts';
import type { EventStore } from '../../application/ports/eventStore/eventStore.ts';
import { RebuildLockedError, type RebuildLockHolder } from '../../application/ports/rebuildTarget.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import {
  type RebuildOptions,
  type RebuildOutcome,
  type RebuildProgress,
  rebuildProjections,
} from '../../projections/rebuildProjections.ts';
import { type RebuildableProjection, rebuildTargetOf } from './rebuildTargets.ts';

export type RebuildWorkerMessage =
  | { readonly type: 'progress'; readonly progress: RebuildProgress }
  | { readonly type: 'done'; readonly outcomes: RebuildOutcome[] }
  | {
      readonly type: 'failed';
      readonly message: string;
      readonly locked?: { readonly projection: string; readonly holder: RebuildLockHolder };
    };

const PHASES = ['replay', 'index', 'swap'] as const;

/** the rebuild as far as the slower of two replays has got */
const slowerOf = (a: RebuildProgress, b: RebuildProgress): RebuildProgress =>
  PHASES.indexOf(a.phase) !== PHASES.indexOf(b.phase)
    ? PHASES.indexOf(a.phase) < PHASES.indexOf(b.phase)
      ? a
      : b
    : { phase: a.phase, done: Math.min(a.done, b.done), total: Math.max(a.total, b.total) };

const rebuildWorkerExitMessage = (names: readonly string[], code: number): string =>
  `the rebuild of ${names.join(', ')} stopped (worker thread exit code ${code}); its shadow tables are dropped at the next rebuild: run it again`;

/** the timeline's rebuild in a worker thread: the outcome, or the error it failed with */
const rebuildInWorker = (
  config: JourneyConfig,
  names: readonly RebuildableProjection[],
  options: RebuildOptions,
  onProgress: (progress: RebuildProgress) => void,
): Promise<RebuildOutcome[]> =>
  new Promise((resolve, reject) => {
    const { onProgress: _, ...plain } = options;
    // bin/tsWorker.js registers tsx in the new thread, then loads the module
    const worker = new Worker(new URL('../../bin/tsWorker.js', import.meta.url), {
      workerData: { module: new URL('./rebuildWorker.ts', import.meta.url).href, config, names, options: plain },
    });
    let settled = false;
    worker.on('message', (message: RebuildWorkerMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'done') {
        settled = true;
        resolve(message.outcomes);
      } else {
        settled = true;
        reject(
          message.locked
            ? new RebuildLockedError(message.locked.projection, message.locked.holder)
            : new Error(message.message),
        );
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(rebuildWorkerExitMessage(names, code)));
    });
  });

/**
 * `journey projections rebuild`: the timeline, the largest model, rebuilds in a worker thread while
 * this one does the rest, so both cores work; each side reads the store itself. Both sides swap in
 * what they rebuilt before a failure of either is thrown.
 */
export const rebuildInThreads = async (
  config: JourneyConfig,
  eventStore: EventStore,
  names: readonly RebuildableProjection[],
  clock: Clock,
  options: RebuildOptions,
): Promise<RebuildOutcome[]> => {
  const threaded = names.length > 1 && names.includes('timeline') ? (['timeline'] as const) : [];
  const here = names.filter((name) => !(threaded as readonly string[]).includes(name));
  const report = options.onProgress ?? (() => {});
  let ours: RebuildProgress | undefined;
  let theirs: RebuildProgress | undefined;
  const progressed = () => {
    if (ours && (theirs || threaded.length === 0)) report(theirs ? slowerOf(ours, theirs) : ours);
  };
  const inWorker =
    threaded.length === 0
      ? Promise.resolve([])
      : rebuildInWorker(config, threaded, options, (p) => {
          theirs = p;
          progressed();
        });
  const targets = here.map((name) => rebuildTargetOf(config, name, clock));
  try {
    const results = await Promise.allSettled([
      inWorker,
      rebuildProjections(eventStore, targets, {
        ...options,
        onProgress: (p) => {
          ours = p;
          progressed();
        },
      }),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  } finally {
    for (const target of targets) await target.close();
  }
};
