import { resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import {
  type AlertDayCount,
  type AlertFilter,
  type AlertStatus,
  type AlertStore,
  type AlertWriter,
  alertStatuses,
  type DuePage,
  type OutboxCursor,
  type StoredAlert,
} from '../../../application/ports/alertStore/alertStore.ts';
import {
  comparePositions,
  type Position,
  positionFromString,
  positionToString,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import type { TrackedDeployment } from '../../../domain/alerts/alertRules.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { GroupCommit, outcomeOf } from '../groupCommit.ts';
import { openDatabase, type SqliteDatabase } from '../openDatabase.ts';
import { AlertStateCache } from './alertStateCache.ts';
import {
  type AlertStatements,
  type AlertStateTableNames,
  type DeploymentRow,
  prepareAlertStatements,
  toStoredAlert,
} from './alertTables.ts';

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
  /**
   * This connection is the only writer of the state tables (a rebuild's shadow): batches
   * share one write transaction until `commitBulkLoad` (not inside one the owner opened),
   * instead of a commit each.
   */
  readonly soleWriter?: boolean;
};

const samePosition = (a: Position | null, b: Position | null): boolean =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;

const deploymentRowOf = (d: TrackedDeployment): DeploymentRow => ({
  deployment_id: d.deploymentId,
  user_id: d.userId,
  project_id: d.projectId ?? null,
  started_at: canonicalInstant(d.startedAt, 'startedAt'),
  finished_outcome: d.finished?.outcome ?? null,
  finished_at: d.finished ? canonicalInstant(d.finished.at, 'finishedAt') : null,
});

const toDeployment = (row: DeploymentRow): TrackedDeployment => ({
  deploymentId: row.deployment_id,
  userId: row.user_id,
  ...(row.project_id === null ? {} : { projectId: row.project_id }),
  startedAt: row.started_at,
  ...(row.finished_outcome === null || row.finished_at === null
    ? {}
    : { finished: { outcome: row.finished_outcome, at: row.finished_at } }),
});

/**
 * The alert store on its own SQLite file (`alerts.db`), so the alert projection commits
 * without waiting for the other read models. WAL + synchronous=NORMAL: every commit survives
 * kill -9 and restarts; only an OS crash or power loss can drop the last commits. Outbox rows
 * drop with their checkpoint (re-raised when re-projected) and a lost `posted` mark makes the
 * alerter look the key up; only a lost attempt count, right after a post, could repost a key.
 * FULL measured 2-4x the alert latency at 1,000 sign-ups/s (bench/alertLatencyBench.ts).
 */
export class SqliteAlertStore implements AlertStore {
  private readonly db: SqliteDatabase;
  private readonly stmts: AlertStatements;
  private readonly tx: Database.Transaction<(apply: (writer: AlertWriter) => unknown) => unknown>;
  private readonly listeners = new Set<() => void>();
  /** tells this file's stores in other threads of this process (the alerter's worker) */
  private readonly raised: BroadcastChannel;
  private raisedInTx = 0;
  /** delivery-state writes made in the same tick share one transaction (and its fsync) */
  private readonly deliveryWrites: GroupCommit<() => unknown, unknown>;
  private closed = false;
  /** a transaction this store began for its batches (`soleWriter`), committed by `commitBulkLoad` */
  private groupOpen = false;
  /** `soleWriter` over empty state tables: the state in memory, written back at each commit */
  private stateCache: AlertStateCache | undefined;

  constructor(
    private readonly file: string,
    private readonly options: SqliteAlertStoreOptions = {},
  ) {
    this.db = options.database ?? openDatabase(file, { synchronous: 'NORMAL', busyTimeoutMs: options.busyTimeoutMs });
    this.stmts = prepareAlertStatements(this.db, options.stateTables, { deferIndexes: options.deferIndexes ?? false });
    this.tx = this.db.transaction((apply: (writer: AlertWriter) => unknown) => apply(this.writer));
    if (options.soleWriter && this.stmts.stateIsEmpty()) this.stateCache = new AlertStateCache();
    const batch = this.db.transaction((writes: readonly (() => unknown)[]) => writes.map((w) => outcomeOf(w)));
    this.deliveryWrites = new GroupCommit((writes) => batch.immediate(writes), `alert outbox ${file}`);
    this.raised = new BroadcastChannel(`journey-alerts-raised:${resolve(file)}`);
    this.raised.onmessage = () => this.notifyListeners();
    (this.raised as unknown as { unref(): void }).unref();
  }

  private notifyListeners(): void {
    for (const l of this.listeners) l();
  }

  private write<T>(fn: () => T): Promise<T> {
    this.assertOpen();
    return this.deliveryWrites.submit(fn) as Promise<T>;
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    return this.checkpointNow(projection);
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AlertWriter) => void,
  ): Promise<CheckpointResult> {
    this.assertOpen();
    if (this.options.soleWriter && !this.db.inTransaction) {
      this.db.exec('BEGIN IMMEDIATE');
      this.groupOpen = true;
    }
    try {
      // inside the group, each batch is a savepoint
      return await this.update((writer): CheckpointResult => {
        const current = this.checkpointNow(projection);
        if (!samePosition(current, checkpoint.from)) return { kind: 'mismatch', current };
        apply(writer);
        // outside a group of ours (an owner's transaction, a swap) the state goes with the batch
        if (!this.groupOpen) this.writeBackState();
        this.stmts.storeCheckpoint.run(projection, positionToString(checkpoint.to));
        return { kind: 'stored' };
      });
    } catch (error) {
      this.stateCache = undefined; // it holds what the failed batch wrote
      if (this.groupOpen) {
        this.groupOpen = false;
        this.db.exec('ROLLBACK');
      }
      throw error;
    }
  }

  async commitBulkLoad(): Promise<void> {
    this.assertOpen();
    if (!this.groupOpen) return;
    this.groupOpen = false;
    try {
      this.writeBackState();
      this.db.exec('COMMIT');
    } catch (error) {
      this.stateCache = undefined;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private writeBackState(): void {
    const kept = this.stateCache?.flush({
      deployment: (d) => this.putDeploymentRow(d),
      errorGroup: (g) => this.stmts.putErrorGroup.run(g.userId, g.code, g.windowStart, g.count, g.alertKey),
    });
    if (kept === false) this.stateCache = undefined;
  }

  private putDeploymentRow(d: TrackedDeployment): void {
    this.stmts.putDeployment.run(deploymentRowOf(d));
  }

  async update<T>(apply: (writer: AlertWriter) => T): Promise<T> {
    this.assertOpen();
    this.raisedInTx = 0;
    // IMMEDIATE: state is read then written, and another process must wait for the lock
    const result = this.tx.immediate(apply) as T;
    if (this.raisedInTx > 0) {
      this.notifyListeners();
      this.raised.postMessage(null);
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

  async get(key: string): Promise<StoredAlert | undefined> {
    this.assertOpen();
    const row = this.stmts.get.get(key);
    return row && toStoredAlert(row);
  }

  async pending(now: string, limit: number): Promise<StoredAlert[]> {
    this.assertOpen();
    return this.stmts.pending.all(canonicalInstant(now, 'now'), limit).map(toStoredAlert);
  }

  async duePage(now: string, limit: number, after?: OutboxCursor): Promise<DuePage> {
    this.assertOpen();
    const rows = this.stmts.duePage.all(canonicalInstant(now, 'now'), after ?? 0, limit);
    return { alerts: rows.map(toStoredAlert), cursor: rows.at(-1)?.seq ?? after };
  }

  beginAttempt(key: string): Promise<number> {
    return this.write(() => this.stmts.beginAttempt.get(key)?.attempts ?? 0);
  }

  async retryLater(key: string, reason: string, nextAttemptAt: string): Promise<void> {
    const next = canonicalInstant(nextAttemptAt, 'nextAttemptAt');
    await this.write(() => this.stmts.retryLater.run(reason, next, key));
  }

  async markPosted(key: string, d: { channel: string; ts: string; at: string }): Promise<void> {
    await this.write(() => this.stmts.markPosted.run(d.channel, d.ts, d.at, key));
  }

  async markLogged(key: string, at: string): Promise<void> {
    await this.write(() => this.stmts.markDone.run('logged', null, at, key));
  }

  async markFailed(key: string, reason: string, at: string): Promise<void> {
    await this.write(() => this.stmts.markDone.run('failed', reason, at, key));
  }

  async markSkipped(key: string, reason: string, at: string): Promise<void> {
    await this.write(() => this.stmts.markDone.run('skipped', reason, at, key));
  }

  async listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    this.assertOpen();
    return this.stmts.list
      .all({ status: filter.status ?? null, kind: filter.kind ?? null, limit: filter.limit ?? 100 })
      .map(toStoredAlert);
  }
  async countAlertsByDay(from: string, to: string): Promise<AlertDayCount[]> {
    this.assertOpen();
    return this.db
      .prepare<[from: string, until: string], AlertDayCount>(
        `SELECT substr(occurred_at, 1, 10) AS date, kind, COUNT(*) AS count FROM alerts
         WHERE occurred_at >= ? AND occurred_at <= ? GROUP BY date, kind ORDER BY date, kind`,
      )
      .all(`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`);
  }

  async countAlertsByStatus(): Promise<Record<AlertStatus, number>> {
    this.assertOpen();
    const counts = Object.fromEntries(alertStatuses.map((s) => [s, 0])) as Record<AlertStatus, number>;
    const rows = this.db
      .prepare<[], { status: AlertStatus; count: number }>(
        'SELECT status, COUNT(*) AS count FROM alerts GROUP BY status',
      )
      .all();
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  onRaised(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.deliveryWrites.drain();
    await this.commitBulkLoad();
    this.closed = true;
    this.listeners.clear();
    this.raised.close();
    if (this.options.database === undefined) this.db.close();
  }

  private readonly writer: AlertWriter = {
    getDeployment: (id) => {
      if (this.stateCache) return this.stateCache.getDeployment(id);
      const row = this.stmts.getDeployment.get(id);
      return row && toDeployment(row);
    },
    putDeployment: (d) => {
      if (!this.stateCache) return this.putDeploymentRow(d);
      this.stateCache.putDeployment(toDeployment(deploymentRowOf(d))); // as a row read back would be
    },
    dueDeployments: (from, before) => {
      this.writeBackState(); // the query reads the table
      return this.stmts.dueDeployments
        .all(canonicalInstant(from, 'startedFrom'), canonicalInstant(before, 'startedBefore'))
        .map(toDeployment);
    },
    getErrorGroup: (userId, code) => {
      if (this.stateCache) return this.stateCache.getErrorGroup(userId, code);
      const row = this.stmts.getErrorGroup.get(userId, code);
      return (
        row && {
          userId: row.user_id,
          code: row.code,
          windowStart: row.window_start,
          count: row.count,
          alertKey: row.alert_key,
        }
      );
    },
    putErrorGroup: (g) => {
      if (this.stateCache) return this.stateCache.putErrorGroup(g);
      this.stmts.putErrorGroup.run(g.userId, g.code, g.windowStart, g.count, g.alertKey);
    },
    hasAlert: (key) => this.stmts.hasAlert.get(key) !== undefined,
    raise: (alert, raisedAt) => {
      if (this.options.raiseNothing) return false;
      const at = canonicalInstant(raisedAt, 'raisedAt');
      const { changes } = this.stmts.raise.run(
        alert.key,
        alert.kind,
        alert.userId,
        canonicalInstant(alert.occurredAt, 'occurredAt'),
        alert.parentKey ?? null,
        JSON.stringify(alert.content),
        at,
        at,
      );
      if (changes > 0) this.raisedInTx++;
      return changes > 0;
    },
  };

  private checkpointNow(projection: string): Position | null {
    const row = this.stmts.checkpoint.get(projection);
    return row === undefined ? null : positionFromString(row.position);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new UnavailableError(`the SQLite alert store on ${this.file} is closed; open a new SqliteAlertStore`);
    }
  }
}
