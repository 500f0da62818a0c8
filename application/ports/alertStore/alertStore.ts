import type { AlertContent, AlertDraft, AlertKind } from '../../../domain/alerts/alert.ts';
import type { ErrorGroup, TrackedDeployment } from '../../../domain/alerts/alertRules.ts';
import type { Position } from '../eventStore/eventStore.ts';
import type { CheckpointResult } from '../readModels/readModels.ts';

/**
 * The alert read model and its outbox: alerts are raised in the projection's checkpoint transaction
 * and drained by the alerter. Raising a key that exists (retry, restart, rebuild) changes nothing,
 * which keeps Slack at one message per key.
 */
export const alertStatuses = ['pending', 'posted', 'logged', 'failed', 'skipped'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

export type StoredAlert = {
  readonly key: string;
  readonly kind: AlertKind;
  readonly userId: string;
  readonly occurredAt: string;
  readonly parentKey?: string;
  readonly content: AlertContent;
  /** when it was raised (processing time), ISO-8601 UTC */
  readonly raisedAt: string;
  readonly status: AlertStatus;
  /** delivery attempts begun; above 0 means Slack may already have it */
  readonly attempts: number;
  /** not before this (backoff, Retry-After), ISO-8601 UTC */
  readonly nextAttemptAt: string;
  readonly lastError?: string;
  readonly channel?: string;
  readonly ts?: string;
  readonly deliveredAt?: string;
};

/** Writes inside one transaction; synchronous. */
export interface AlertWriter {
  getDeployment(deploymentId: string): TrackedDeployment | undefined;
  putDeployment(deployment: TrackedDeployment): void;
  /** unfinished deployments started in [`startedFrom`, `startedBefore`) with no slow alert yet */
  dueDeployments(startedFrom: string, startedBefore: string): TrackedDeployment[];
  getErrorGroup(userId: string, code: string): ErrorGroup | undefined;
  putErrorGroup(group: ErrorGroup): void;
  hasAlert(key: string): boolean;
  /** inserts a pending alert unless its key exists; true when it was new */
  raise(alert: AlertDraft, raisedAt: string): boolean;
}

/** alerts of one kind whose event time fell on one UTC day (`YYYY-MM-DD`) */
export type AlertDayCount = { readonly date: string; readonly kind: AlertKind; readonly count: number };

/**
 * Where a read of the outbox ended. Alerts are numbered in the order their transactions
 * committed, so reading after a cursor finds exactly the alerts raised since (and retries
 * that became due are found by reading from the start again).
 */
export type OutboxCursor = number;

/** a page of due alerts and the cursor after its last one (the `after` given when empty) */
export type DuePage = { readonly alerts: StoredAlert[]; readonly cursor: OutboxCursor | undefined };

export type AlertFilter = { readonly status?: AlertStatus; readonly kind?: AlertKind; readonly limit?: number };

export interface AlertStore {
  readCheckpoint(projection: string): Promise<Position | null>;
  /** as ReadModelStore.applyBatch: `apply` and the checkpoint move in one transaction */
  applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AlertWriter) => void,
  ): Promise<CheckpointResult>;
  /** one transaction without a checkpoint (the slow-deployment timer) */
  update<T>(apply: (writer: AlertWriter) => T): Promise<T>;
  /** drops the projection's state and checkpoint for a rebuild; raised alerts stay, so nothing is sent twice */
  resetProjection(projection: string): Promise<void>;
  get(key: string): Promise<StoredAlert | undefined>;
  /** pending alerts due at `now` (ISO), oldest raised first */
  pending(now: string, limit: number): Promise<StoredAlert[]>;
  /** as `pending`, only alerts raised after `after` (from the start when undefined), with the page's cursor */
  duePage(now: string, limit: number, after?: OutboxCursor): Promise<DuePage>;
  /** counts a delivery attempt before it is made, so a crash after it leaves a trace */
  beginAttempt(key: string): Promise<number>;
  retryLater(key: string, reason: string, nextAttemptAt: string): Promise<void>;
  markPosted(
    key: string,
    delivery: { readonly channel: string; readonly ts: string; readonly at: string },
  ): Promise<void>;
  markLogged(key: string, at: string): Promise<void>;
  markFailed(key: string, reason: string, at: string): Promise<void>;
  markSkipped(key: string, reason: string, at: string): Promise<void>;
  /** newest first */
  listAlerts(filter?: AlertFilter): Promise<StoredAlert[]>;
  /** alerts per UTC day of their event time and kind, days `from` to `to` (YYYY-MM-DD, both included); only days with any, by date then kind */
  countAlertsByDay(from: string, to: string): Promise<AlertDayCount[]>;
  /** how many alerts are in each delivery state; every state is present, 0 when none */
  countAlertsByStatus(): Promise<Record<AlertStatus, number>>;
  /** called after this process (any of its threads) committed a transaction that raised alerts; returns unsubscribe */
  onRaised(listener: () => void): () => void;
  close(): Promise<void>;
}

export const AlertStoreToken = Symbol.for('journey.AlertStore');
