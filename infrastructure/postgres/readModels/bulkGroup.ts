import type pg from 'pg';
import type { Position } from '../../../application/ports/eventStore/eventStore.ts';
import { GroupWrites } from './groupWrites.ts';
import { TimelineCopy } from './timelineCopy.ts';
import { lockStageWindow } from './writeBatch.ts';

/**
 * One bulk-load group: the open transaction of the loading projection, its checkpoint, the
 * users-table writes merged until commit, and the timeline COPY its batches stream into.
 */
export class BulkGroup {
  writes = new GroupWrites();
  readonly timeline: TimelineCopy;
  private window: Promise<number | undefined> | undefined;

  constructor(
    readonly client: pg.PoolClient,
    public checkpoint: Position | null,
    private readonly schema = 'journey',
  ) {
    this.timeline = new TimelineCopy(client, schema);
  }

  /** the stage window W, its row locked once for the whole group */
  readonly lockWindow = (): Promise<number | undefined> => {
    this.window ??= lockStageWindow(this.client, this.schema);
    return this.window;
  };

  /** finishes the timeline COPY, so the client takes other statements (throws if the COPY failed) */
  settle(): Promise<void> {
    return this.timeline.finish();
  }
}
