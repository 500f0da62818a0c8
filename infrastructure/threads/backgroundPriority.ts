import { getPriority, setPriority } from 'node:os';

/**
 * The nice value of a thread whose work may lag and catch up (the explorer's index): 10 gives it
 * about a tenth of a core's share beside a thread at 0 while both want the CPU, and all of an
 * idle core otherwise. On Linux a nice value belongs to the thread, so the collector, the mapper
 * and the alerter keep theirs.
 */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's CPU priority to BACKGROUND_NICE (Linux: setpriority of the calling
 * task); a thread already lower keeps its own. Where the system refuses, the thread keeps its
 * priority: a slower ingest under load, not an error.
 */
export const lowerThisThreadsPriority = (): void => {
  try {
    if (getPriority() < BACKGROUND_NICE) setPriority(BACKGROUND_NICE);
  } catch {
    // not permitted (a container without the right) or not supported: the priority stays
  }
};
