import type Database from 'better-sqlite3';
import type { DeadLetterQueue } from '../../../application/ports/rawLog/deadLetterQueue.ts';
import type {
  ConsumeOptions,
  DeadLetter,
  PublishReceipt,
  RawConsumer,
  RawDelivery,
  RawLog,
} from '../../../application/ports/rawLog/rawLog.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { partitionKeyOf } from '../../../domain/raw/ingestRawEvent.ts';
import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';
import { ConsumerSet } from '../../polling/consumerSet.ts';
import {
  type ConsumerTiming,
  consumerTiming,
  type OffsetLogBackend,
  startOffsetConsumer,
} from '../../polling/offsetConsumer.ts';
import { WakeSignal } from '../../polling/wakeSignal.ts';
import { GroupCommit, outcomeOf } from '../groupCommit.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import { type DeadLetterRow, prepareRawLogStatements, type RawLogStatements } from './rawLogTables.ts';

export type SqliteRawLogOptions = Partial<ConsumerTiming> & { readonly busyTimeoutMs?: number };

/**
 * The embedded raw log. `publish` resolves after a synchronous=FULL commit: this is what
 * the collector's "200 means durably stored" rests on, so a power cut right after the
 * answer loses nothing. Publishes of the same tick share that commit and its fsync.
 * One global order (`seq`) keeps every partition in order. One consumer per group at a time.
 */
export class SqliteRawLog implements RawLog, DeadLetterQueue {
  private readonly db: SqliteDatabase;
  private readonly stmts: RawLogStatements;
  private readonly published = new WakeSignal();
  private readonly publishes: GroupCommit<readonly IngestedEvent[], PublishReceipt>;
  private readonly consumers = new ConsumerSet();
  private readonly timing: ConsumerTiming;
  private readonly backend: OffsetLogBackend;
  private readonly rejectTx: Database.Transaction<
    (items: readonly Omit<DeadLetter, 'id' | 'at'>[], at: string) => void
  >;
  private closed = false;

  /** `file`: the database file, or ':memory:' (then nothing is durable) */
  constructor(
    private readonly file: string,
    options: SqliteRawLogOptions = {},
  ) {
    this.db = openDatabase(file, { synchronous: 'FULL', busyTimeoutMs: options.busyTimeoutMs });
    this.stmts = prepareRawLogStatements(this.db);
    this.timing = consumerTiming(options);
    // a transaction inside the publish transaction is a savepoint: a request that fails
    // halfway leaves none of its events behind
    const insertAll = this.db.transaction((events: readonly IngestedEvent[]): PublishReceipt => {
      let stored = 0;
      for (const event of events) {
        const row = this.stmts.insert.run(
          event.messageId,
          partitionKeyOf(event),
          JSON.stringify(event),
          event.receivedAt,
        );
        stored += row.changes;
      }
      return { stored, duplicates: events.length - stored };
    });
    const publishTx = this.db.transaction((requests: readonly (readonly IngestedEvent[])[]) =>
      requests.map((events) => outcomeOf(() => insertAll(events))),
    );
    this.publishes = new GroupCommit(
      (requests) => publishTx.immediate(requests),
      `SQLite raw log ${file}`,
      () => this.published.notify(),
    );
    this.rejectTx = this.db.transaction((items: readonly Omit<DeadLetter, 'id' | 'at'>[], at: string) => {
      for (const item of items)
        this.stmts.deadLetter.run(at, item.stage, item.reason, JSON.stringify(item.payload) ?? 'null');
    });
    const deadLetterTx = this.db.transaction(
      (group: string, entries: readonly { seq: number; event: IngestedEvent }[], reason: string) => {
        const at = new Date().toISOString();
        for (const entry of entries) this.stmts.deadLetter.run(at, 'mapper', reason, JSON.stringify(entry.event));
        const last = entries.at(-1);
        if (last) this.stmts.ack.run(group, last.seq);
      },
    );
    this.backend = {
      readOffset: (group) => this.stmts.offset.get(group)?.seq ?? 0,
      readAfter: (seq, limit) =>
        this.stmts.after
          .all(seq, limit)
          .map((row) => ({ seq: row.seq, event: JSON.parse(row.payload) as IngestedEvent })),
      // An acknowledgement is not a promise to anyone: lost in a power cut, the events are
      // delivered again and the mapper is idempotent. So it commits without its own fsync
      // (the next publish's fsync of the WAL makes it durable), which takes one of the three
      // fsyncs per mapper batch off the thread that serves the collector.
      ack: (group, seq) => {
        this.db.pragma('synchronous = NORMAL');
        try {
          this.stmts.ack.run(group, seq);
        } finally {
          this.db.pragma('synchronous = FULL');
        }
      },
      deadLetter: (group, entries, reason) => deadLetterTx.immediate(group, entries, reason),
    };
  }

  publish(events: readonly IngestedEvent[]): Promise<PublishReceipt> {
    if (this.closed) return Promise.reject(this.closedError());
    if (events.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    return this.publishes.submit(events);
  }

  consume(options: ConsumeOptions, handler: (delivery: RawDelivery) => Promise<void>): RawConsumer {
    this.assertOpen();
    return this.consumers.track(startOffsetConsumer(this.backend, this.published, this.timing, options, handler));
  }

  async reject(items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void> {
    this.assertOpen();
    // rejections are rare and small; the write is synchronous=FULL like every other here
    this.rejectTx.immediate(items, new Date().toISOString());
  }

  async listRejected(options: { readonly limit?: number } = {}): Promise<DeadLetter[]> {
    this.assertOpen();
    return this.stmts.listDeadLetters.all(options.limit ?? -1).map(deadLetterOf);
  }

  async getRejected(id: string): Promise<DeadLetter | undefined> {
    this.assertOpen();
    const row = /^[1-9]\d{0,15}$/.test(id) ? this.stmts.getDeadLetter.get(Number(id)) : undefined;
    return row === undefined ? undefined : deadLetterOf(row);
  }

  async removeRejected(id: string): Promise<boolean> {
    this.assertOpen();
    if (!/^[1-9]\d{0,15}$/.test(id)) return false;
    return this.stmts.removeDeadLetter.run(new Date().toISOString(), Number(id)).changes > 0;
  }

  async pending(group: string): Promise<number> {
    this.assertOpen();
    return this.stmts.countAfter.get(this.stmts.offset.get(group)?.seq ?? 0)?.n ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.consumers.stopAll();
    await this.publishes.drain();
    this.db.close();
  }

  private closedError(): UnavailableError {
    return new UnavailableError(`the SQLite raw log on ${this.file} is closed; open a new SqliteRawLog`);
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }
}

const deadLetterOf = (row: DeadLetterRow): DeadLetter => ({
  id: String(row.id),
  at: row.at,
  stage: row.stage,
  reason: row.reason,
  payload: JSON.parse(row.payload),
});
