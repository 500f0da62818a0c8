import type {
  AlertDayCount,
  AlertFilter,
  AlertStatus,
  AlertStore,
  AlertWriter,
  DuePage,
  OutboxCursor,
  StoredAlert,
} from '../../../application/ports/alertStore/alertStore.ts';
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
export class SqliteAlertStore implements AlertStore {
  private readonly db: SqliteDatabase;
  private readonly state: SqliteAlertState;
  private readonly outbox: SqliteAlertOutbox;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly options: SqliteAlertStoreOptions = {},
  ) {
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
    return this.open().state.readCheckpoint(projection);
  }
  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AlertWriter) => void,
  ): Promise<CheckpointResult> {
    return this.open().state.applyBatch(projection, checkpoint, apply);
  }
  async commitBulkLoad(): Promise<void> {
    return this.open().state.commitBulkLoad();
  }
  async update<T>(apply: (writer: AlertWriter) => T): Promise<T> {
    return this.open().state.update(apply);
  }
  async resetProjection(projection: string): Promise<void> {
    return this.open().state.resetProjection(projection);
  }

  async get(key: string): Promise<StoredAlert | undefined> {
    return this.open().outbox.get(key);
  }
  async pending(now: string, limit: number): Promise<StoredAlert[]> {
    return this.open().outbox.pending(now, limit);
  }
  async duePage(now: string, limit: number, after?: OutboxCursor): Promise<DuePage> {
    return this.open().outbox.duePage(now, limit, after);
  }
  async beginAttempt(key: string): Promise<number> {
    return this.open().outbox.beginAttempt(key);
  }
  async retryLater(key: string, reason: string, nextAttemptAt: string): Promise<void> {
    return this.open().outbox.retryLater(key, reason, nextAttemptAt);
  }
  async markPosted(key: string, delivery: { channel: string; ts: string; at: string }): Promise<void> {
    return this.open().outbox.markPosted(key, delivery);
  }
  async markLogged(key: string, at: string): Promise<void> {
    return this.open().outbox.markDone(key, 'logged', null, at);
  }
  async markFailed(key: string, reason: string, at: string): Promise<void> {
    return this.open().outbox.markDone(key, 'failed', reason, at);
  }
  async markSkipped(key: string, reason: string, at: string): Promise<void> {
    return this.open().outbox.markDone(key, 'skipped', reason, at);
  }
  async listAlerts(filter?: AlertFilter): Promise<StoredAlert[]> {
    return this.open().outbox.listAlerts(filter);
  }
  async countAlertsByDay(from: string, to: string): Promise<AlertDayCount[]> {
    return this.open().outbox.countAlertsByDay(from, to);
  }
  async countAlertsByStatus(): Promise<Record<AlertStatus, number>> {
    return this.open().outbox.countAlertsByStatus();
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

  private open(): this {
    if (this.closed) {
      throw new UnavailableError(`the SQLite alert store on ${this.file} is closed; open a new SqliteAlertStore`);
    }
    return this;
  }
}
