import type pg from 'pg';
import { AlertOutboxFacade, type AlertOutboxPart } from '../../../application/ports/alertStore/alertOutboxFacade.ts';
import type { AlertStore, AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import {
  type Position,
  positionFromString,
  positionToString,
  samePosition,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { connectionLostError } from '../connectionLost.ts';
import type { WriteTransaction } from '../inWriteTransaction.ts';
import type { CheckpointRow } from '../writeOpening.ts';
import { AlertRaisedChannel } from './alertRaisedChannel.ts';
import { alertStateLoader } from './alertStateLoader.ts';
import { applyPrefetched } from './applyPrefetched.ts';
import { inAlertWriteTransaction } from './inAlertWriteTransaction.ts';
import { PostgresAlertOutbox } from './postgresAlertOutbox.ts';
import { writeAlertChanges } from './writeAlertChanges.ts';

export type PostgresAlertStoreOptions = {
  /** where the state and checkpoint tables are: `journey`, or a rebuild's shadow schema */
  readonly schema?: string;
  /**
   * a rebuild's shadow: raises nothing (the outbox is shared with the live model and keyed by
   * alert key, so a replay must neither re-queue nor re-send), and writes without taking turns
   * with the live writers, being the only writer of its own tables
   */
  readonly shadow?: boolean;
  /**
   * a lease of the role writing through this store (the alerter, the slow-deployment timer):
   * its writes check the epoch in their transactions and are refused once another replica took over
   */
  readonly fence?: LeaseGrant;
};

/**
 * The alert read model and outbox in PostgreSQL (tables of migration 003). A write transaction
 * loads the state its `apply` reads in bulk (`applyPrefetched`) and stores the writes in one
 * statement. The pool belongs to the caller: `close` leaves it open.
 */
export class PostgresAlertStore extends AlertOutboxFacade implements AlertStore {
  protected override readonly outbox: AlertOutboxPart;
  private readonly channel: AlertRaisedChannel;
  private closed = false;
  private readonly schema: string;
  private readonly shadow: boolean;
  private readonly fence: LeaseGrant | undefined;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresAlertStoreOptions = {},
  ) {
    super();
    this.schema = options.schema ?? 'journey';
    this.shadow = options.shadow ?? false;
    this.fence = options.fence;
    this.outbox = new PostgresAlertOutbox(pool, this.fence);
    this.channel = new AlertRaisedChannel(pool);
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    try {
      const { rows } = await this.pool.query<{ position: string }>(
        `SELECT position FROM ${this.schema}.alert_checkpoints WHERE projection = $1`,
        [projection],
      );
      return rows[0] ? positionFromString(rows[0].position) : null;
    } catch (error) {
      throw connectionLostError(error, undefined, `reading the checkpoint of ${projection}`);
    }
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AlertWriter) => void,
  ): Promise<CheckpointResult> {
    const to = positionToString(checkpoint.to);
    const row = { projection, schema: this.schema, table: 'alert_checkpoints' } as const;
    return this.write<CheckpointResult>(
      `storing the ${projection} batch up to ${to}`,
      async ({ client, checkpoint: current }) => {
        if (!samePosition(current, checkpoint.from)) return { result: { kind: 'mismatch', current }, raised: 0 };
        const { changes } = await applyPrefetched(apply, alertStateLoader(client, this.schema), this.shadow);
        const raised = await writeAlertChanges(client, changes, this.notice, { projection, position: to }, this.schema);
        return { result: { kind: 'stored' }, raised };
      },
      row,
    );
  }

  async update<T>(apply: (writer: AlertWriter) => T): Promise<T> {
    return this.write('updating the alert state', async ({ client }) => {
      const { result, changes } = await applyPrefetched(apply, alertStateLoader(client, this.schema), this.shadow);
      return { result, raised: await writeAlertChanges(client, changes, this.notice, undefined, this.schema) };
    });
  }

  async resetProjection(projection: string): Promise<void> {
    await this.write(`resetting the ${projection} projection`, async ({ client }) => {
      await client.query(`DELETE FROM ${this.schema}.alert_deployments; DELETE FROM ${this.schema}.alert_error_groups`);
      await client.query(`DELETE FROM ${this.schema}.alert_checkpoints WHERE projection = $1`, [projection]);
      return { result: undefined, raised: 0 };
    });
  }

  onRaised(listener: () => void): () => void {
    return this.channel.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channel.close();
  }

  /** the write statement's own NOTIFY (a shadow raises nothing, so tells no one) */
  private get notice(): { readonly channel: string; readonly payload: string } | undefined {
    return this.shadow ? undefined : this.channel.notice;
  }

  /** one writer transaction; listeners hear of new alerts once it committed (others by the statement's NOTIFY) */
  private async write<T>(
    doing: string,
    work: (tx: WriteTransaction) => Promise<{ readonly result: T; readonly raised: number }>,
    checkpoint?: CheckpointRow,
  ): Promise<T> {
    this.assertOpen();
    const { result, raised } = await inAlertWriteTransaction(
      this.pool,
      {
        doing,
        takeTurns: !this.shadow,
        ...(this.fence ? { fence: this.fence } : {}),
        ...(checkpoint ? { checkpoint } : {}),
      },
      work,
    );
    if (raised > 0) this.channel.raised();
    return result;
  }

  protected override assertOpen(): void {
    if (this.closed)
      throw new UnavailableError(
        'this PostgreSQL alert store is closed; create a new PostgresAlertStore on an open pool',
      );
  }
}
