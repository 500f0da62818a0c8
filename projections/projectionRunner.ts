import { setImmediate } from 'node:timers/promises';
import {
  type AllSubscription,
  comparePositions,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '../application/ports/eventStore/eventStore.ts';
import { type Logger, silentLogger } from '../application/ports/logger.ts';
import type { ReadModelWriter } from '../application/ports/readModels/readModels.ts';
import type { CheckpointedStore, Projection } from './projection.ts';

export type ProjectionRunnerOptions = {
  /** events per read-model transaction at most; larger batches catch up faster (default 5000) */
  readonly batchSize?: number;
  /** told the checkpoint after each applied batch (a worker thread reports progress with it) */
  readonly onApplied?: (position: Position) => void;
  readonly logger?: Logger;
  /** wait before re-subscribing after a failure */
  readonly retryDelayMs?: number;
};

const DEFAULT_BATCH_SIZE = 5000;
/** how long a bulk load keeps its writes in one transaction: other writers wait that long at most */
const BULK_COMMIT_MS = 1000;
/**
 * A bulk load commits by time, so its reads can be small: the events of a read live until
 * they are applied, and 1,000 of them die in V8's young generation, where 5,000 outlived
 * it and were copied to the old one (a quarter of a catch-up's CPU, measured).
 */
const BULK_READ_SIZE = 1000;
const YIELD_EVERY_MS = 50;

/**
 * Follows the store's global log from the projection's checkpoint and applies each batch in
 * one read-model transaction together with the new checkpoint. When another runner moved
 * the checkpoint first, the batch is dropped and the runner resumes from where that one got
 * to, so no event takes effect twice.
 */
export class ProjectionRunner<Writer = ReadModelWriter> {
  private checkpoint: Position | null = null;
  private subscription: AllSubscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private waiters: { position: Position; resolve: () => void }[] = [];

  constructor(
    private readonly eventStore: EventStore,
    private readonly readModels: CheckpointedStore<Writer>,
    readonly projection: Projection<Writer>,
    private readonly options: ProjectionRunnerOptions = {},
  ) {}

  get position(): Position | null {
    return this.checkpoint;
  }

  get streamPrefix(): string {
    return this.projection.streamPrefix;
  }

  /** Follows the log live until `stop()`. */
  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.running;
    this.running = undefined;
  }

  /** Applies everything up to the current head once and returns how many events it applied. */
  async catchUp(): Promise<number> {
    this.checkpoint = await this.readModels.readCheckpoint(this.projection.name);
    return this.applyBacklog(false);
  }

  /** Resolves once the projection has applied the event at `position` (or anything later). */
  waitFor(position: Position): Promise<void> {
    if (this.checkpoint && comparePositions(this.checkpoint, position) >= 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private async follow(): Promise<void> {
    const logger = this.options.logger ?? silentLogger;
    while (!this.stopped) {
      try {
        this.checkpoint = await this.readModels.readCheckpoint(this.projection.name);
        // a waiter for a position the stored checkpoint already covers needs no new batch
        if (this.checkpoint) this.resolveWaiters(this.checkpoint);
        else await this.applyBacklog(true);
        if (this.stopped) break;
        this.subscription = this.eventStore.subscribeAll({
          ...(this.checkpoint ? { fromPosition: this.checkpoint } : {}),
          streamPrefix: this.projection.streamPrefix,
          batchSize: this.options.batchSize ?? DEFAULT_BATCH_SIZE,
        });
        for await (const batch of this.subscription) {
          if (this.stopped) break;
          if (batch.length > 0 && !(await this.applyBatch(batch))) break;
        }
      } catch (error) {
        if (this.stopped) break;
        logger.error(
          { projection: this.projection.name, err: error },
          `projection ${this.projection.name} failed; retrying from its checkpoint`,
        );
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 1000));
      } finally {
        await this.subscription?.close();
      }
    }
  }

  /**
   * Reads and applies batches until the head; a projection starting from nothing does it
   * as a bulk load when its store offers one (see `CheckpointedStore.beginBulkLoad`), and
   * then makes its writes durable (and tells its waiters) about once a second.
   * `live`: the following runner, which leaves the loop when stopped.
   */
  private async applyBacklog(live: boolean): Promise<number> {
    const bulk = this.checkpoint === null && (await this.readModels.beginBulkLoad?.()) === true;
    const batchSize = Math.min(this.options.batchSize ?? DEFAULT_BATCH_SIZE, bulk ? BULK_READ_SIZE : Infinity);
    let applied = 0;
    let uncommitted: Position | undefined;
    let groupStarted = performance.now();
    let yielded = performance.now();
    try {
      while (!(live && this.stopped)) {
        const batch = await this.eventStore.readAll({
          ...(this.checkpoint ? { fromPosition: this.checkpoint } : {}),
          streamPrefix: this.projection.streamPrefix,
          maxCount: batchSize,
        });
        if (batch.length === 0) break;
        if (!(await this.applyBatch(batch, !bulk))) continue;
        applied += batch.length;
        if (bulk) {
          uncommitted = this.checkpoint ?? undefined;
          if (performance.now() - groupStarted >= BULK_COMMIT_MS) {
            await this.readModels.commitBulkLoad?.();
            if (uncommitted) this.reached(uncommitted);
            uncommitted = undefined;
            groupStarted = performance.now();
          }
        }
        // a short batch: caught up with the head, and live events are the subscription's to
        // follow (a loop that ends only on an empty read would poll for as long as they arrive)
        if (batch.length < batchSize) break;
        // a local store's reads resolve at once: let the thread's other work (HTTP, timers) in now and then
        if (performance.now() - yielded >= YIELD_EVERY_MS) {
          await setImmediate();
          yielded = performance.now();
        }
      }
    } finally {
      if (bulk) await this.readModels.endBulkLoad?.();
    }
    if (uncommitted) this.reached(uncommitted);
    return applied;
  }

  /**
   * false when another runner had moved the checkpoint: the caller re-reads from there.
   * `committed`: the batch is durable once applied (else the bulk load tells the waiters later).
   */
  private async applyBatch(batch: readonly RecordedEvent[], committed = true): Promise<boolean> {
    const last = batch[batch.length - 1];
    if (!last) return true;
    const result = await this.readModels.applyBatch(
      this.projection.name,
      { from: this.checkpoint, to: last.position },
      (writer) => {
        for (const event of batch) this.projection.apply(event, writer);
      },
    );
    if (result.kind === 'mismatch') {
      this.checkpoint = result.current;
      return false;
    }
    this.checkpoint = last.position;
    if (committed) this.reached(last.position);
    return true;
  }

  private reached(position: Position): void {
    this.resolveWaiters(position);
    this.options.onApplied?.(position);
  }

  private resolveWaiters(reached: Position): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (comparePositions(reached, w.position) >= 0) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
