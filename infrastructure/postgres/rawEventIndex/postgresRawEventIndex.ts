import type pg from 'pg';
import type {
  RawEventBatch,
  RawEventChange,
  RawEventCursor,
  RawEventFilter,
  RawEventIndex,
  RawEventPage,
} from '../../../application/ports/rawEventIndex/rawEventIndex.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { ADVISORY_LOCKS } from '../advisoryLocks.ts';
import { connectionLostError } from '../connectionLost.ts';
import { inWriteTransaction } from '../inWriteTransaction.ts';
import { NewsChannel } from '../newsChannel.ts';
import { withoutNul } from '../readModels/withoutNul.ts';
import { indexedRawEventOf, RAW_EVENT_COLUMNS, type RawEventRow, rawEventConditions } from './rawEventRows.ts';
import { writeRawEventBatch } from './writeRawEventBatch.ts';

/** raw-event index writers take turns on it (see advisoryLocks.ts) */
export const RAW_EVENT_WRITER_LOCK = ADVISORY_LOCKS.rawEventWriters;
const WRITTEN_CHANNEL = 'journey_raw_events_written';

/**
 * The explorer's raw-event index in PostgreSQL (tables of migration 010), so the API replicas
 * on any host read what the mapper's process writes. Writers (the index's worker thread, remap
 * and dead-letter replays) take turns on an advisory lock, as SQLite's IMMEDIATE transactions
 * make them, so versions commit in order and a follower that read up to the head never misses
 * one; a batch is one statement (writeRawEventBatch.ts). Followers poll `changesSince` by
 * version and are woken early over LISTEN/NOTIFY (`onChange`) when any process writes. The pool
 * belongs to the caller: `close` leaves it open.
 */
export class PostgresRawEventIndex implements RawEventIndex {
  private readonly channel: NewsChannel;
  private closed = false;

  constructor(private readonly pool: pg.Pool) {
    this.channel = new NewsChannel(pool, WRITTEN_CHANNEL);
  }

  async record(batch: RawEventBatch): Promise<void> {
    this.assertOpen();
    const size = (batch.stored?.length ?? 0) + (batch.outcomes?.length ?? 0) + (batch.links?.length ?? 0);
    if (size === 0) return;
    const written = await inWriteTransaction(
      this.pool,
      { doing: `writing a batch of ${size} to the raw-event index`, turnLock: RAW_EVENT_WRITER_LOCK, readModel: true },
      ({ client }) => writeRawEventBatch(client, batch, { channel: WRITTEN_CHANNEL, payload: this.channel.payload }),
    );
    if (written > 0) this.channel.raised();
  }

  onChange(listener: () => void): () => void {
    return this.channel.subscribe(listener);
  }

  async query(filter: RawEventFilter, page: { before?: RawEventCursor; limit: number }): Promise<RawEventPage> {
    const { sql, values } = rawEventConditions(filter, 1);
    const params: unknown[] = [...values];
    if (page.before !== undefined) {
      params.push(withoutNul(page.before.receivedAt), withoutNul(page.before.messageId));
      sql.push(`(received_at, message_id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(page.limit + 1);
    const where = sql.length === 0 ? '' : `WHERE ${sql.join(' AND ')}`;
    const rows = await this.rows<RawEventRow>(
      `SELECT ${RAW_EVENT_COLUMNS} FROM journey.raw_event_index ${where}
       ORDER BY received_at DESC, message_id DESC LIMIT $${params.length}`,
      params,
      'reading a page of raw events',
    );
    const events = rows.slice(0, page.limit).map(indexedRawEventOf);
    const last = events.at(-1);
    return rows.length > page.limit && last !== undefined
      ? { events, next: { receivedAt: last.receivedAt, messageId: last.messageId } }
      : { events };
  }

  async headVersion(): Promise<number> {
    const rows = await this.rows<{ version: string }>(
      'SELECT version FROM journey.raw_event_index_meta WHERE id = 1',
      [],
      'reading the raw-event index version',
    );
    return Number(rows[0]?.version ?? 0);
  }

  async changesSince(afterVersion: number, filter: RawEventFilter, limit: number) {
    const { sql, values } = rawEventConditions(filter, 3);
    // the head and the rows in one statement, one snapshot: every version up to the head is there
    const rows = await this.rows<RawEventRow & { head: string }>(
      `WITH head AS (SELECT version FROM journey.raw_event_index_meta WHERE id = 1)
       SELECT head.version AS head, r.* FROM head LEFT JOIN LATERAL (
         SELECT ${RAW_EVENT_COLUMNS} FROM journey.raw_event_index
         WHERE version > $1 AND version <= head.version${sql.map((c) => ` AND ${c}`).join('')}
         ORDER BY version LIMIT $2
       ) r ON true`,
      [afterVersion, limit, ...values],
      'following the raw-event index',
    );
    const head = Number(rows[0]?.head ?? 0);
    // no change: one row, NULL but for the head
    const changes: RawEventChange[] = rows
      .filter((row) => row.message_id !== null)
      .map((row) => ({ ...indexedRawEventOf(row), version: Number(row.version) }));
    const last = changes.at(-1);
    return { changes, version: changes.length === limit && last !== undefined ? last.version : head };
  }

  async prune(receivedBefore: string, limit: number): Promise<number> {
    // rows another pruner (a second mapper process) is deleting are skipped, not waited for
    const rows = await this.rows<{ n: number }>(
      `WITH gone AS (
         DELETE FROM journey.raw_event_index WHERE message_id IN (
           SELECT message_id FROM journey.raw_event_index WHERE received_at < $1
           ORDER BY received_at, message_id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [withoutNul(receivedBefore), limit],
      'pruning the raw-event index',
    );
    return rows[0]?.n ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channel.close();
  }

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[], doing: string): Promise<R[]> {
    this.assertOpen();
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw connectionLostError(error, undefined, doing);
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw new UnavailableError(
        'this PostgreSQL raw-event index is closed; create a new PostgresRawEventIndex on an open pool',
      );
  }
}
