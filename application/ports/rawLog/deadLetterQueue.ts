import type { DeadLetter } from './rawLog.ts';

/**
 * The dead-letter queue port: refused input and unmappable raw events, each with its reason;
 * `listRejected` is newest first and ids are stable strings. A letter is removed after its replay, not
 * before: a crash in between replays it again, which is harmless.
 */
export interface DeadLetterQueue {
  reject(items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void>;
  listRejected(options?: { readonly limit?: number }): Promise<DeadLetter[]>;
  getRejected(id: string): Promise<DeadLetter | undefined>;
  removeRejected(id: string): Promise<boolean>;
}

export const DeadLetterQueueToken = Symbol.for('journey.DeadLetterQueue');
