import { resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type {
  AutomationStore,
  AutomationWriter,
  DeliveryCount,
  DeliveryFilter,
  StoredDelivery,
} from '../../../application/ports/automationStore/automationStore.ts';
import {
  type Position,
  positionFromString,
  positionToString,
  samePosition,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import type { AutomationUser } from '../../../domain/automations/userTraits.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import {
  type AutomationStatements,
  type AutomationStateTableNames,
  prepareAutomationStatements,
  toStoredDelivery,
  toTimer,
} from './automationTables.ts';

export type SqliteAutomationStoreOptions = {
  /** a rebuild writes shadow state tables on the rebuild's own connection */
  readonly database?: SqliteDatabase;
  readonly stateTables?: AutomationStateTableNames;
  /** leave the timers' secondary indexes to the caller (a rebuild builds them itself) */
  readonly deferIndexes?: boolean;
  /**
   * a rebuild enqueues nothing: the outbox is shared with the live model and keyed by delivery
   * id, so a replay must neither re-queue nor re-send what the live projection enqueued
   */
  readonly enqueueNothing?: boolean;
};

/**
 * `automations.db`, apart so automation commits never wait for the other read models. The
 * projection's batches and the timer tick are IMMEDIATE transactions (another thread's or
 * process's writer waits for the lock); delivery updates are single statements. NORMAL sync:
 * commits survive kill -9, and a delivery lost to an OS crash is sent again under its id.
 */
export class SqliteAutomationStore implements AutomationStore {
  private readonly db: SqliteDatabase;
  private readonly stmts: AutomationStatements;
  private readonly tx: Database.Transaction<(apply: (writer: AutomationWriter) => unknown) => unknown>;
  private readonly listeners = new Set<() => void>();
  /** tells this file's stores in other threads of this process (the delivery worker) */
  private readonly channel: BroadcastChannel;
  private enqueued = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly options: SqliteAutomationStoreOptions = {},
  ) {
    this.db = options.database ?? openDatabase(file, { synchronous: 'NORMAL' });
    this.stmts = prepareAutomationStatements(this.db, options.stateTables, {
      deferIndexes: options.deferIndexes ?? false,
    });
    const writer = this.writer();
    this.tx = this.db.transaction((apply: (w: AutomationWriter) => unknown) => apply(writer));
    this.channel = new BroadcastChannel(`journey-automations-enqueued:${resolve(file)}`);
    this.channel.onmessage = () => this.notify();
    (this.channel as unknown as { unref(): void }).unref();
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    return this.checkpointNow(projection);
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AutomationWriter) => void,
  ): Promise<CheckpointResult> {
    return this.update((writer): CheckpointResult => {
      const current = this.checkpointNow(projection);
      if (!samePosition(current, checkpoint.from)) return { kind: 'mismatch', current };
      apply(writer);
      this.stmts.storeCheckpoint.run(projection, positionToString(checkpoint.to));
      return { kind: 'stored' };
    });
  }

  async update<T>(apply: (writer: AutomationWriter) => T): Promise<T> {
    this.assertOpen();
    this.enqueued = 0;
    const result = this.tx.immediate(apply) as T;
    if (this.enqueued > 0) {
      this.notify();
      this.channel.postMessage(null);
    }
    return result;
  }

  async resetProjection(projection: string): Promise<void> {
    this.assertOpen();
    this.db
      .transaction(() => {
        this.stmts.clearState();
        this.stmts.deleteCheckpoint.run(projection);
      })
      .immediate();
  }

  async get(id: string): Promise<StoredDelivery | undefined> {
    this.assertOpen();
    const row = this.stmts.get.get(id);
    return row && toStoredDelivery(row);
  }

  async due(now: string, limit: number): Promise<StoredDelivery[]> {
    this.assertOpen();
    return this.stmts.due.all(canonicalInstant(now, 'now'), limit).map(toStoredDelivery);
  }

  async beginAttempt(id: string): Promise<number> {
    this.assertOpen();
    return this.stmts.beginAttempt.get(id)?.attempts ?? 0;
  }

  async retryLater(id: string, reason: string, nextAttemptAt: string): Promise<void> {
    this.assertOpen();
    this.stmts.retryLater.run(reason, canonicalInstant(nextAttemptAt, 'nextAttemptAt'), id);
  }

  async markDelivered(id: string, at: string): Promise<void> {
    this.assertOpen();
    this.stmts.markDelivered.run(at, id);
  }

  async markFailed(id: string, reason: string, at: string): Promise<void> {
    this.assertOpen();
    this.stmts.markFailed.run(reason, at, id);
  }

  async retry(id: string, now: string): Promise<StoredDelivery | undefined> {
    this.assertOpen();
    if (this.stmts.retry.run(canonicalInstant(now, 'now'), id).changes > 0) {
      this.notify();
      this.channel.postMessage(null);
    }
    return this.get(id);
  }

  async listDeliveries(filter: DeliveryFilter = {}): Promise<StoredDelivery[]> {
    this.assertOpen();
    return this.stmts.list
      .all({ automation: filter.automation ?? null, status: filter.status ?? null, limit: filter.limit ?? 100 })
      .map(toStoredDelivery);
  }

  async countDeliveries(): Promise<DeliveryCount[]> {
    this.assertOpen();
    return this.stmts.counts.all() as DeliveryCount[];
  }

  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.channel.close();
    if (this.options.database === undefined) this.db.close();
  }

  private writer(): AutomationWriter {
    const s = this.stmts;
    return {
      getUser: (userId) => {
        const row = s.getUser.get(userId);
        return row && (JSON.parse(row.state) as AutomationUser);
      },
      putUser: (user) => s.putUser.run(user.userId, JSON.stringify(user)),
      waitingTimers: (userId) => s.waitingTimers.all(userId).map(toTimer),
      startTimer: (t) =>
        s.startTimer.run(
          t.id,
          t.automationId,
          t.userId,
          t.eventId,
          t.eventType,
          canonicalInstant(t.startedAt, 'startedAt'),
          canonicalInstant(t.dueAt, 'dueAt'),
          JSON.stringify(t.data ?? null),
        ),
      cancelTimer: (id) => s.setTimerStatus.run('cancelled', id),
      dueTimers: (now, limit) => s.dueTimers.all(canonicalInstant(now, 'now'), limit).map(toTimer),
      endTimer: (id, outcome) => s.setTimerStatus.run(outcome, id),
      enqueue: (d, createdAt) => {
        if (this.options.enqueueNothing) return false;
        const created = canonicalInstant(createdAt, 'createdAt');
        const { changes } = s.enqueue.run(
          d.id,
          d.automationId,
          d.action,
          d.userId,
          canonicalInstant(d.triggeredAt, 'triggeredAt'),
          JSON.stringify(d.payload),
          created,
          created,
        );
        if (changes > 0) this.enqueued++;
        return changes > 0;
      },
    };
  }

  private checkpointNow(projection: string): Position | null {
    const row = this.stmts.checkpoint.get(projection);
    return row === undefined ? null : positionFromString(row.position);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private assertOpen(): void {
    if (this.closed)
      throw new UnavailableError(
        `the SQLite automation store on ${this.file} is closed; open a new SqliteAutomationStore`,
      );
  }
}
