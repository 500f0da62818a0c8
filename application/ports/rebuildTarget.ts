import { JourneyError } from '../../domain/errors/journeyError.ts';
import type { Position, RecordedEvent } from './eventStore/eventStore.ts';

/**
 * The read-model side of a rebuild: a projection's live tables and its next version's shadow. `swap`
 * catches the shadow up and puts it in place in one write transaction, so readers never see a
 * half-built version.
 */
export type RebuildLockHolder = { readonly pid: number; readonly host: string; readonly since: string };

export type ProjectionState = {
  readonly name: string;
  /** 1 until the first rebuild; each swap installs the next */
  readonly version: number;
  readonly checkpoint: Position | null;
  /** who is rebuilding it now, if anyone */
  readonly rebuild: RebuildLockHolder | null;
};

export type SwapResult = {
  readonly version: number;
  readonly checkpoint: Position | null;
  /** with `verify`: the content hash of the live model just before the swap, and of the new one */
  readonly hashes?: {
    readonly replaced: string;
    readonly replacedCheckpoint: Position | null;
    readonly rebuilt: string;
  };
};

export interface RebuildTarget {
  readonly name: string;
  readonly streamPrefix: string;
  state(): Promise<ProjectionState>;
  /** throws RebuildLockedError naming the holder when another rebuild of it is running */
  lock(holder: RebuildLockHolder): Promise<void>;
  unlock(holder: RebuildLockHolder): Promise<void>;
  /** empty shadow tables for the next version (dropping any an interrupted rebuild left); returns that version */
  beginShadow(): Promise<number>;
  /** applies one batch of the global log to the shadow and moves the shadow's checkpoint */
  applyToShadow(batch: readonly RecordedEvent[]): Promise<void>;
  shadowCheckpoint(): Promise<Position | null>;
  /** builds the shadow's query indexes: left to the end, once, instead of on every insert */
  indexShadow(): Promise<void>;
  /**
   * In one write transaction: applies what `next(checkpoint)` returns until it returns [],
   * then installs the shadow as the live version with its checkpoint.
   */
  swap(
    next: (after: Position | null) => Promise<readonly RecordedEvent[]>,
    options?: { readonly verify?: boolean },
  ): Promise<SwapResult>;
  /** drops the shadow tables (a failed or abandoned rebuild) */
  dropShadow(): Promise<void>;
  /** a hash of the live model's content (not of how it is stored) */
  contentHash(): Promise<string>;
  close(): Promise<void>;
}

export class RebuildLockedError extends JourneyError {
  readonly holder: RebuildLockHolder;
  constructor(
    readonly projection: string,
    holder: RebuildLockHolder,
  ) {
    super(
      'UNAVAILABLE',
      `projection ${projection} is already being rebuilt by pid ${holder.pid} on ${holder.host} since ${holder.since}; wait for it to finish, or if that process is gone for good, run the rebuild on ${holder.host} (a lock whose process has died there is taken over)`,
    );
    this.holder = holder;
  }
}

export const isRebuildLockedError = (e: unknown): e is RebuildLockedError =>
  e instanceof RebuildLockedError ||
  (typeof e === 'object' && e !== null && (e as { holder?: unknown }).holder !== undefined && e instanceof Error);
