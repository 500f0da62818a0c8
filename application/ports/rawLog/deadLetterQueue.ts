import type { DeadLetter } from './rawLog.ts';

/**
 * The dead-letter queue port: input the collector refused (invalid) and raw events the
 * mapper could not map, each kept with its reason until someone looks at it. The raw log
 * adapters (memory, SQLite, NATS JetStream) serve it over the same store they write dead
 * letters to; `journey dlq` and `ReplayDeadLetters` use it.
 *
 * - `listRejected` is newest first; ids are strings, stable for a letter's whole life.
 * - `getRejected` of an id that never was, was removed, or is not an id at all: undefined.
 * - `removeRejected` is how a replayed letter leaves the queue: true when it was there.
 *   Removing after replaying (not before) means a crash in between replays it again, which
 *   is harmless: replays are deduplicated downstream.
 */
export interface DeadLetterQueue {
  reject(items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void>;
  listRejected(options?: { readonly limit?: number }): Promise<DeadLetter[]>;
  getRejected(id: string): Promise<DeadLetter | undefined>;
  removeRejected(id: string): Promise<boolean>;
}

export const DeadLetterQueueToken = Symbol.for('journey.DeadLetterQueue');
