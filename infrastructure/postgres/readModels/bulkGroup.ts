import type pg from 'pg';
import type { Position } from '../../../application/ports/eventStore/eventStore.ts';
import { GroupWrites } from './groupWrites.ts';
import { insertTimeline } from './insertTimeline.ts';
import type { TimelineColumns } from './postgresBatchWriter.ts';
import { lockStageWindow } from './writeBatch.ts';

/** timeline COPYs queued at most, so memory stays bounded when the server is the slower side */
const MAX_QUEUED = 4;

/**
 * One bulk-load group: the open transaction of the loading projection, its checkpoint, the
 * users-table writes merged until commit, and its timeline COPYs, queued so that the runner
 * reads and applies the next batch while the server takes this one's. A queued COPY that
 * fails is thrown by the next call that waits for the queue; the owner then rolls back.
 */
export class BulkGroup {
  writes = new GroupWrites();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private failure: { error: unknown } | undefined;
  private window: Promise<number | undefined> | undefined;

  constructor(
    readonly client: pg.PoolClient,
    public checkpoint: Position | null,
  ) {}

  /** the stage window W, its row locked once for the whole group */
  readonly lockWindow = (): Promise<number | undefined> => {
    this.window ??= lockStageWindow(this.client);
    return this.window;
  };

  /** queues the batch's timeline COPY; the caller must `settle` before its own queries on the client */
  async appendTimeline(timeline: TimelineColumns): Promise<void> {
    if (timeline.eventIds.length === 0) return;
    if (this.queued >= MAX_QUEUED) await this.settle();
    this.throwFailure();
    this.queued++;
    this.queue = this.queue.then(async () => {
      if (this.failure === undefined)
        await insertTimeline(this.client, timeline).catch((error: unknown) => {
          this.failure = { error };
        });
      this.queued--;
    });
  }

  /** waits for the queued COPYs and throws the first that failed */
  async settle(): Promise<void> {
    await this.queue;
    this.throwFailure();
  }

  /** waits for the queued COPYs, failed or not (before a rollback) */
  async drain(): Promise<void> {
    await this.queue;
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
