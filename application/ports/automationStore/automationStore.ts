import type { ActionKind } from '../../../domain/automations/automationsFile.ts';
import type {
  AutomationTimer,
  DeliveryDraft,
  DeliveryPayload,
} from '../../../domain/automations/automationTriggers.ts';
import type { AutomationUser } from '../../../domain/automations/userTraits.ts';
import type { Position } from '../eventStore/eventStore.ts';
import type { CheckpointResult } from '../readModels/readModels.ts';

/**
 * The automations read model (each user's traits, the timers waiting) and the delivery outbox:
 * deliveries are enqueued in the projection's checkpoint transaction and drained by the delivery
 * worker. Enqueueing an id that exists (retry, restart, rebuild) changes nothing, so a trigger
 * keeps one delivery id whatever happens.
 */
export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export type StoredDelivery = {
  readonly id: string;
  readonly automationId: string;
  readonly action: ActionKind;
  readonly userId: string;
  /** the trigger's instant (event time, or the timer's), ISO-8601 UTC */
  readonly triggeredAt: string;
  readonly payload: DeliveryPayload;
  /** when it was enqueued (processing time), ISO-8601 UTC */
  readonly createdAt: string;
  readonly status: DeliveryStatus;
  /** attempts begun; above 0 means the receiver may already have it */
  readonly attempts: number;
  /** not before this (backoff, Retry-After), ISO-8601 UTC */
  readonly nextAttemptAt: string;
  readonly lastError?: string;
  readonly deliveredAt?: string;
};

/** Writes inside one transaction; synchronous. */
export interface AutomationWriter {
  getUser(userId: string): AutomationUser | undefined;
  putUser(user: AutomationUser): void;
  /** the user's timers still waiting */
  waitingTimers(userId: string): AutomationTimer[];
  /** starts a timer unless its id exists */
  startTimer(timer: AutomationTimer): void;
  cancelTimer(id: string): void;
  /** waiting timers whose instant is at or before `now` (ISO), earliest first */
  dueTimers(now: string, limit: number): AutomationTimer[];
  /** a due timer fired (its delivery is enqueued) or expired (too old to fire): it waits no more */
  endTimer(id: string, outcome: 'fired' | 'expired'): void;
  /** inserts a pending delivery unless its id exists; true when it was new */
  enqueue(delivery: DeliveryDraft, createdAt: string): boolean;
}

export type DeliveryFilter = {
  readonly automation?: string;
  readonly status?: DeliveryStatus;
  readonly limit?: number;
};

export type DeliveryCount = { readonly automationId: string; readonly status: DeliveryStatus; readonly count: number };

export interface AutomationStore {
  readCheckpoint(projection: string): Promise<Position | null>;
  /** as ReadModelStore.applyBatch: `apply` and the checkpoint move in one transaction */
  applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: AutomationWriter) => void,
  ): Promise<CheckpointResult>;
  /** one transaction without a checkpoint (the timer tick) */
  update<T>(apply: (writer: AutomationWriter) => T): Promise<T>;
  /** drops the users, the timers and the checkpoint for a rebuild; deliveries stay, so nothing is sent twice */
  resetProjection(projection: string): Promise<void>;
  get(id: string): Promise<StoredDelivery | undefined>;
  /** pending deliveries due at `now` (ISO), oldest enqueued first */
  due(now: string, limit: number): Promise<StoredDelivery[]>;
  /** counts an attempt before it is made, so a crash after it leaves a trace */
  beginAttempt(id: string): Promise<number>;
  retryLater(id: string, reason: string, nextAttemptAt: string): Promise<void>;
  markDelivered(id: string, at: string): Promise<void>;
  markFailed(id: string, reason: string, at: string): Promise<void>;
  /** a failed delivery pending again with a fresh count of attempts, due at `now`; undefined when there is no such id */
  retry(id: string, now: string): Promise<StoredDelivery | undefined>;
  /** newest first */
  listDeliveries(filter?: DeliveryFilter): Promise<StoredDelivery[]>;
  /** deliveries per automation and status, only pairs with any, by automation then status */
  countDeliveries(): Promise<DeliveryCount[]>;
  /** called after this process (any of its threads) committed a transaction that enqueued deliveries; returns unsubscribe */
  onEnqueued(listener: () => void): () => void;
  close(): Promise<void>;
}

export const AutomationStoreToken = Symbol.for('journey.AutomationStore');
