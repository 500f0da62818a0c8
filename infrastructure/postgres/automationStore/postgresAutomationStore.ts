import type pg from 'pg';
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
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { ADVISORY_LOCKS } from '../advisoryLocks.ts';
import { connectionLostError } from '../connectionLost.ts';
import { inWriteTransaction, type WriteTransaction } from '../inWriteTransaction.ts';
import { fencedQueries, type Queries } from '../lease/fencedTransaction.ts';
import { NewsChannel } from '../newsChannel.ts';
import { applyPrefetched } from '../prefetchedApply.ts';
import type { CheckpointRow } from '../writeOpening.ts';
import { DELIVERY_COLUMNS, type DeliveryRow, toStoredDelivery } from './automationRows.ts';
import { automationStateLoader } from './automationStateLoader.ts';
import {
  type AutomationChanges,
  emptyAutomationSnapshot,
  RecordingAutomationWriter,
} from './recordingAutomationWriter.ts';
import { writeAutomationChanges } from './writeAutomationChanges.ts';

/** automation writers take turns on it (see advisoryLocks.ts) */
export const AUTOMATION_WRITER_LOCK = ADVISORY_LOCKS.automationWriters;
const ENQUEUED_CHANNEL = 'journey_automations_enqueued';

export type PostgresAutomationStoreOptions = {
  /** where the state (users, timers) and checkpoint tables are: `journey`, or a rebuild's shadow schema */
  readonly schema?: string;
  /**
   * a rebuild's shadow: enqueues nothing (the outbox is shared with the live model and keyed by
   * delivery id, so a replay must neither re-queue nor re-send), and writes without taking turns
   * with the live writers, being the only writer of its own tables
   */
  readonly shadow?: boolean;
  /**
   * the lease of the role writing through this store (the automations projection, the
   * automator): its writes check the epoch in their transactions and are refused once another
   * replica took over. Reads stay plain: a read cannot undo a newer holder's work.
   */
  readonly fence?: LeaseGrant;
};

/**
 * The automations read model and delivery outbox in PostgreSQL (tables of migration 009), so
 * automators and projectors on any host share them. Writers (the projection's batches, the
 * timer tick) take turns on an advisory lock, as SQLite's IMMEDIATE transactions make them: a
 * timer is either cancelled or fired, and deliveries are numbered in commit order. Their
 * `apply` reads what it asks for in bulk (prefetchedApply.ts). A delivery keeps its id whatever
 * happens: enqueueing an id that exists changes nothing. Delivery updates are single
 * statements. The pool belongs to the caller: `close` leaves it open.
 */
export class PostgresAutomationStore implements AutomationStore {
  private readonly channel: NewsChannel;
  private closed = false;
  private readonly schema: string;
  private readonly shadow: boolean;
  private readonly fence: LeaseGrant | undefined;
  /** where delivery updates run: the pool, or each in a transaction behind the fence */
  private readonly deliveryWrites: Queries;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresAutomationStoreOptions = {},
  ) {
    this.channel = new NewsChannel(pool, ENQUEUED_CHANNEL);
    this.schema = options.schema ?? 'journey';
    this.shadow = options.shadow ?? false;
    this.fence = options.fence;
    this.deliveryWrites = this.fence
      ? fencedQueries(pool, this.fence, `a delivery write of ${this.fence.holder}`)
      : pool;
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    const rows = await this.query<{ position: string }>(
      `SELECT position FROM ${this.schema}.automation_checkpoints WHERE projection = $1`,
      [projection],
      `reading the checkpoint of ${projection}`,
    );
    return rows[0] ? positionFromString(rows[0].position) : null;
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AutomationWriter) => void,
  ): Promise<CheckpointResult> {
    const to = positionToString(checkpoint.to);
    const row = { projection, schema: this.schema, table: 'automation_checkpoints' } as const;
    return this.write<CheckpointResult>(
      `storing the ${projection} batch up to ${to}`,
      async ({ client, checkpoint: current }) => {
        if (!samePosition(current, checkpoint.from)) return { result: { kind: 'mismatch', current }, enqueued: 0 };
        const { changes } = await this.prefetched(client, apply);
        const enqueued = await writeAutomationChanges(
          client,
          changes,
          this.news(),
          { projection, position: to },
          this.schema,
        );
        return { result: { kind: 'stored' }, enqueued };
      },
      row,
    );
  }

  async update<T>(apply: (writer: AutomationWriter) => T): Promise<T> {
    return this.write('updating the automation state', async ({ client }) => {
      const { result, changes } = await this.prefetched(client, apply);
      return { result, enqueued: await writeAutomationChanges(client, changes, this.news(), undefined, this.schema) };
    });
  }

  async resetProjection(projection: string): Promise<void> {
    await this.write(`resetting the ${projection} projection`, async ({ client }) => {
      await client.query(`DELETE FROM ${this.schema}.automation_users; DELETE FROM ${this.schema}.automation_timers`);
      await client.query(`DELETE FROM ${this.schema}.automation_checkpoints WHERE projection = $1`, [projection]);
      return { result: undefined, enqueued: 0 };
    });
  }

  async get(id: string): Promise<StoredDelivery | undefined> {
    const rows = await this.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM journey.automation_deliveries WHERE id = $1`,
      [id],
      `reading delivery ${id}`,
    );
    return rows[0] && toStoredDelivery(rows[0]);
  }

  async due(now: string, limit: number): Promise<StoredDelivery[]> {
    const rows = await this.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM journey.automation_deliveries
       WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY seq LIMIT $2`,
      [canonicalInstant(now, 'now'), limit],
      'reading the due deliveries',
    );
    return rows.map(toStoredDelivery);
  }

  async beginAttempt(id: string): Promise<number> {
    const rows = await this.query<{ attempts: number }>(
      'UPDATE journey.automation_deliveries SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts',
      [id],
      `counting an attempt of ${id}`,
      this.deliveryWrites,
    );
    return rows[0]?.attempts ?? 0;
  }

  async retryLater(id: string, reason: string, nextAttemptAt: string): Promise<void> {
    await this.query(
      "UPDATE journey.automation_deliveries SET last_error = $1, next_attempt_at = $2 WHERE id = $3 AND status = 'pending'",
      [reason, canonicalInstant(nextAttemptAt, 'nextAttemptAt'), id],
      `deferring ${id}`,
      this.deliveryWrites,
    );
  }

  async markDelivered(id: string, at: string): Promise<void> {
    await this.query(
      "UPDATE journey.automation_deliveries SET status = 'delivered', delivered_at = $1, last_error = NULL WHERE id = $2",
      [at, id],
      `marking ${id} delivered`,
      this.deliveryWrites,
    );
  }

  async markFailed(id: string, reason: string, at: string): Promise<void> {
    await this.query(
      "UPDATE journey.automation_deliveries SET status = 'failed', last_error = $1, delivered_at = $2 WHERE id = $3 AND status = 'pending'",
      [reason, at, id],
      `marking ${id} failed`,
      this.deliveryWrites,
    );
  }

  async retry(id: string, now: string): Promise<StoredDelivery | undefined> {
    // one statement: the other processes' automators hear of it when it commits
    const rows = await this.query<{ id: string }>(
      `WITH retried AS (
         UPDATE journey.automation_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, delivered_at = NULL
         WHERE id = $2 AND status = 'failed' RETURNING id
       )
       SELECT id, pg_notify($3, $4) FROM retried`,
      [canonicalInstant(now, 'now'), id, ENQUEUED_CHANNEL, this.channel.payload],
      `retrying ${id}`,
    );
    if (rows.length > 0) this.channel.raised();
    return this.get(id);
  }

  async listDeliveries(filter: DeliveryFilter = {}): Promise<StoredDelivery[]> {
    const rows = await this.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM journey.automation_deliveries
       WHERE ($1::text IS NULL OR automation_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY seq DESC LIMIT $3`,
      [filter.automation ?? null, filter.status ?? null, filter.limit ?? 100],
      'listing the deliveries',
    );
    return rows.map(toStoredDelivery);
  }

  async countDeliveries(): Promise<DeliveryCount[]> {
    return this.query<DeliveryCount>(
      `SELECT automation_id AS "automationId", status, count(*)::int AS count FROM journey.automation_deliveries
       GROUP BY automation_id, status ORDER BY automation_id, status`,
      [],
      'counting the deliveries',
    );
  }

  onEnqueued(listener: () => void): () => void {
    return this.channel.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channel.close();
  }

  private prefetched<T>(client: pg.ClientBase, apply: (writer: AutomationWriter) => T) {
    const snapshot = emptyAutomationSnapshot();
    const load = automationStateLoader(client, this.schema);
    return applyPrefetched<RecordingAutomationWriter, AutomationChanges, T>(
      apply,
      () => new RecordingAutomationWriter(snapshot, this.shadow),
      (run) => load(run.wants, snapshot),
      'an automations transaction',
    );
  }

  private news() {
    return { channel: ENQUEUED_CHANNEL, payload: this.channel.payload };
  }

  /** one writer transaction; listeners in this process hear of new deliveries once it committed */
  private async write<T>(
    doing: string,
    work: (tx: WriteTransaction) => Promise<{ readonly result: T; readonly enqueued: number }>,
    checkpoint?: CheckpointRow,
  ): Promise<T> {
    this.assertOpen();
    const { result, enqueued } = await inWriteTransaction(
      this.pool,
      {
        doing,
        ...(this.shadow ? {} : { turnLock: AUTOMATION_WRITER_LOCK }),
        ...(this.fence ? { fence: this.fence } : {}),
        ...(checkpoint ? { checkpoint } : {}),
      },
      work,
    );
    if (enqueued > 0) this.channel.raised();
    return result;
  }

  private async query<R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[],
    doing: string,
    on: Queries = this.pool,
  ): Promise<R[]> {
    this.assertOpen();
    try {
      return (await on.query<R>(sql, params)).rows;
    } catch (error) {
      throw connectionLostError(error, undefined, doing);
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw new UnavailableError(
        'this PostgreSQL automation store is closed; create a new PostgresAutomationStore on an open pool',
      );
  }
}
