import { AlertOutboxFacade } from '../../../application/ports/alertStore/alertOutboxFacade.ts';
import type { AlertStore, AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import type { Position } from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import { SqliteAlertOutbox } from './alertOutbox.ts';
import { type AlertStateTableNames, prepareAlertStatements } from './alertTables.ts';
import { SqliteAlertState } from './sqliteAlertState.ts';

export type SqliteAlertStoreOptions = {
  readonly busyTimeoutMs?: number;
  /** a rebuild writes shadow state tables on the rebuild's own connection */
  readonly database?: SqliteDatabase;
  readonly stateTables?: AlertStateTableNames;
  /** leave the state tables' secondary index to the caller (a rebuild builds it at the end) */
  readonly deferIndexes?: boolean;
  /**
   * a rebuild raises nothing: the outbox is shared with the live model and keyed by alert
   * key, so a replay must neither re-queue nor re-send what the live projection raised
   */
  readonly raiseNothing?: boolean;
  /** This connection is the only writer of the state tables (a rebuild's shadow): batches share one transaction until `commitBulkLoad`. */
  readonly soleWriter?: boolean;
};

/**
 * `alerts.db`, apart so alert commits never wait for the other read models: the projection's
 * state (SqliteAlertState) and the outbox (SqliteAlertOutbox) on one connection. NORMAL sync:
 * commits survive kill -9; only a lost attempt count after an OS crash could post a key twice.
 */
export class SqliteAlertStore extends AlertOutboxFacade implements AlertStore {
  private readonly db: SqliteDatabase;
  private readonly state: SqliteAlertState;
  protected override readonly outbox: SqliteAlertOutbox;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly options: SqliteAlertStoreOptions = {},
  ) {
    super();
    this.db = options.database ?? openDatabase(file, { synchronous: 'NORMAL', busyTimeoutMs: options.busyTimeoutMs });
    const stmts = prepareAlertStatements(this.db, options.stateTables, { deferIndexes: options.deferIndexes ?? false });
    this.outbox = new SqliteAlertOutbox(this.db, stmts, file);
    this.state = new SqliteAlertState(this.db, stmts, {
      soleWriter: options.soleWriter ?? false,
      raiseNothing: options.raiseNothing ?? false,
      onRaised: () => this.outbox.raised(),
    });
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    return this.state.readCheckpoint(projection);
  }
  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AlertWriter) => void,
  ): Promise<CheckpointResult> {
    this.assertOpen();
    return this.state.applyBatch(projection, checkpoint, apply);
  }
  async commitBulkLoad(): Promise<void> {
    this.assertOpen();
    return this.state.commitBulkLoad();
  }
  async update<T>(apply: (writer: AlertWriter) => T): Promise<T> {
    this.assertOpen();
    return this.state.update(apply);
  }
  async resetProjection(projection: string): Promise<void> {
    this.assertOpen();
    return this.state.resetProjection(projection);
  }

  onRaised(listener: () => void): () => void {
    return this.outbox.onRaised(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.outbox.close();
    await this.state.commitBulkLoad();
    this.closed = true;
    if (this.options.database === undefined) this.db.close();
  }

  protected override assertOpen(): void {
    if (this.closed) {
      throw new UnavailableError(`the SQLite alert store on ${this.file} is closed; open a new SqliteAlertStore`);
    }
  }
}
