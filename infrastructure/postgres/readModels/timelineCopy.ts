import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { type CopyStreamQuery, from as copyFrom } from 'pg-copy-streams';
import { copyText, copyTimelineSql, insertTimelineSkippingKnown, UNIQUE_VIOLATION } from './insertTimeline.ts';
import type { TimelineColumns } from './postgresBatchWriter.ts';

/** rows one COPY takes before it is finished: they are kept in memory until then, for the fallback */
const MAX_ROWS = 50_000;

/**
 * A bulk load's timeline as one COPY that batch after batch streams into, so the server takes
 * rows while the runner reads and applies the next batch (a COPY per batch waits a round trip
 * for each). The rows are kept until `finish`: when an eventId was stored already the COPY
 * fails, is undone to its savepoint, and the rows go in again skipping the ids already there.
 */
export class TimelineCopy {
  private open: { readonly stream: CopyStreamQuery; readonly done: Promise<void> } | undefined;
  private kept: TimelineColumns[] = [];
  private rows = 0;

  constructor(
    private readonly client: pg.ClientBase,
    private readonly schema = 'journey',
  ) {}

  get streaming(): boolean {
    return this.open !== undefined;
  }

  async append(timeline: TimelineColumns): Promise<void> {
    if (timeline.eventIds.length === 0) return;
    if (this.open === undefined) {
      await this.client.query('SAVEPOINT timeline_copy');
      const stream = this.client.query(copyFrom(copyTimelineSql(this.schema)));
      const done = finished(stream);
      done.catch(() => undefined); // seen by `finish`
      this.open = { stream, done };
    }
    this.kept.push(timeline);
    this.rows += timeline.eventIds.length;
    const { stream } = this.open;
    // a failed COPY takes no more: `finish` handles it
    if (!stream.destroyed && !stream.write(copyText(timeline))) await once(stream, 'drain').catch(() => undefined);
    if (this.rows >= MAX_ROWS) await this.finish();
  }

  /** ends the COPY and waits for the server: the client is free for other statements after */
  async finish(): Promise<void> {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    const kept = this.kept;
    this.kept = [];
    this.rows = 0;
    if (!open.stream.destroyed) open.stream.end();
    try {
      await open.done;
      await this.client.query('RELEASE SAVEPOINT timeline_copy');
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await this.client.query('ROLLBACK TO SAVEPOINT timeline_copy');
      for (const timeline of kept) await insertTimelineSkippingKnown(this.client, timeline, this.schema);
    }
  }

  /** ends the COPY, whatever its outcome, before the transaction is rolled back */
  async abandon(): Promise<void> {
    await this.finish().catch(() => undefined);
  }
}
