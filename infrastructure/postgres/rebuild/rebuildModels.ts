import type pg from 'pg';
import type { AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import type { AutomationWriter } from '../../../application/ports/automationStore/automationStore.ts';
import type { Position, RecordedEvent } from '../../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult, ReadModelWriter } from '../../../application/ports/readModels/readModels.ts';
import type { SessionWriter } from '../../../application/ports/sessionStore/sessionStore.ts';
import { checkWindowDays } from '../../../domain/stage/stageChanges.ts';
import type { CheckpointedStore, Projection } from '../../../projections/projection.ts';
import { ALERT_WRITER_LOCK } from '../alertStore/inAlertWriteTransaction.ts';
import { PostgresAlertStore } from '../alertStore/postgresAlertStore.ts';
import { AUTOMATION_WRITER_LOCK, PostgresAutomationStore } from '../automationStore/postgresAutomationStore.ts';
import { PostgresReadModelStore } from '../readModels/postgresReadModelStore.ts';
import { PostgresSessionStore } from '../sessionStore/postgresSessionStore.ts';
import { lockCheckpoint } from '../writeOpening.ts';
import type { OwnedTable } from './contentHash.ts';

/** What the shadow of one version writes with: the projection's store, on the shadow's schema. */
export type PostgresShadowStore = {
  apply(
    checkpoint: { readonly from: Position | null; readonly to: Position },
    batch: readonly RecordedEvent[],
  ): Promise<CheckpointResult>;
  /** makes what `apply` wrote durable, for a store that groups batches into one transaction */
  commit(): Promise<void>;
  close(): Promise<void>;
};

export type PostgresRebuildModel = {
  readonly name: string;
  readonly streamPrefix: string;
  /** swapped in by a rebuild; every other table of schema `journey` is left alone */
  readonly owned: readonly OwnedTable[];
  /** every table the shadow's store writes, the owned ones among them; `seeded` ones start with the live rows */
  readonly shadowTables: readonly string[];
  readonly seeded?: readonly string[];
  /** the table of schema `journey` (and of the shadow's) holding the projection's checkpoint */
  readonly checkpointTable:
    | 'read_model_checkpoints'
    | 'alert_checkpoints'
    | 'session_checkpoints'
    | 'automation_checkpoints';
  /** after the shadow's tables are made, before its first write (settings such as the window W) */
  prepareShadow?(client: pg.ClientBase, schema: string): Promise<void>;
  /** in the swap's transaction, before the catch-up: the live writers of the model wait for its end */
  holdLiveWriters(client: pg.ClientBase): Promise<void>;
  openShadow(pool: pg.Pool, schema: string): Promise<PostgresShadowStore>;
};

/** every table a read-model store may write, whichever projection it serves (migration 002) */
const READ_MODEL_TABLES = [
  'timeline',
  'users',
  'activity_days',
  'stage_instants',
  'stage_minutes',
  'stage_days',
  'stage_window',
  'read_model_checkpoints',
];

const OWNED_READ_MODEL_TABLES: Record<'timeline' | 'users', readonly OwnedTable[]> = {
  timeline: [{ name: 'timeline', orderBy: 'event_id' }],
  users: [
    { name: 'users', orderBy: 'user_id' },
    { name: 'activity_days', orderBy: 'user_id, day' },
    { name: 'stage_days', orderBy: 'day' },
    { name: 'stage_minutes', orderBy: 'minute' },
    { name: 'stage_instants', orderBy: 'at' },
    { name: 'stage_window', orderBy: 'id' },
  ],
};

/**
 * The timeline's or the users' rebuild: the shadow is a bulk load of PostgresReadModelStore
 * (COPY, batches grouped for about a second, query indexes left to the end) into the shadow's
 * schema, its stage deltas kept for `windowDays` (unset: the live W). The swap holds the live
 * checkpoint row, which every batch of the live projection locks first.
 */
export const readModelRebuildModel = (
  name: 'timeline' | 'users',
  projection: Projection<ReadModelWriter>,
  options: { readonly url?: string; readonly windowDays?: number } = {},
): PostgresRebuildModel => ({
  name,
  streamPrefix: projection.streamPrefix,
  owned: OWNED_READ_MODEL_TABLES[name],
  shadowTables: READ_MODEL_TABLES,
  seeded: ['stage_window'],
  checkpointTable: 'read_model_checkpoints',
  prepareShadow: async (client, schema) => {
    if (options.windowDays === undefined) return;
    checkWindowDays(options.windowDays);
    await client.query(`UPDATE ${schema}.stage_window SET window_days = $1`, [options.windowDays]);
  },
  holdLiveWriters: async (client) => {
    await lockCheckpoint(client, { projection: name, table: 'read_model_checkpoints' });
  },
  openShadow: async (pool, schema) => {
    const store = new PostgresReadModelStore(pool, options.url, schema);
    await store.beginBulkLoad();
    return shadowOf(name, store, projection);
  },
});

/**
 * The alert state's rebuild (deployments, error groups): the shadow raises nothing, the outbox
 * being shared with the live model and keyed by alert key. The swap takes the alert writers'
 * turn lock, which the projection and the slow-deployment timer take for every transaction.
 */
export const alertRebuildModel = (projection: Projection<AlertWriter>, name = 'alerts'): PostgresRebuildModel => ({
  name,
  streamPrefix: projection.streamPrefix,
  owned: [
    { name: 'alert_deployments', orderBy: 'deployment_id' },
    { name: 'alert_error_groups', orderBy: 'user_id, code' },
  ],
  shadowTables: ['alert_deployments', 'alert_error_groups', 'alert_checkpoints'],
  checkpointTable: 'alert_checkpoints',
  holdLiveWriters: async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${ALERT_WRITER_LOCK})`);
  },
  openShadow: async (pool: pg.Pool, schema) =>
    shadowOf(name, new PostgresAlertStore(pool, { schema, shadow: true }), projection),
});

/**
 * The automations' state rebuild (users' traits, timers): the shadow enqueues nothing, the
 * delivery outbox being shared with the live model and keyed by delivery id, so it is kept as
 * it is. Timers re-created due fire through the live tick, whose delivery ids already exist.
 * The swap takes the automation writers' turn lock, which the projection and the timer tick
 * take for every transaction.
 */
export const automationRebuildModel = (
  projection: Projection<AutomationWriter>,
  name = 'automations',
): PostgresRebuildModel => ({
  name,
  streamPrefix: projection.streamPrefix,
  owned: [
    { name: 'automation_users', orderBy: 'user_id' },
    { name: 'automation_timers', orderBy: 'id' },
  ],
  shadowTables: ['automation_users', 'automation_timers', 'automation_checkpoints'],
  checkpointTable: 'automation_checkpoints',
  holdLiveWriters: async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${AUTOMATION_WRITER_LOCK})`);
  },
  openShadow: async (pool: pg.Pool, schema) =>
    shadowOf(name, new PostgresAutomationStore(pool, { schema, shadow: true }), projection),
});

/**
 * The sessions' rebuild (activity and sessions): the shadow writes through PostgresSessionStore
 * on the shadow's schema, a transaction per batch. The swap holds the live checkpoint row,
 * which every batch of the live projection locks first.
 */
export const sessionRebuildModel = (
  projection: Projection<SessionWriter>,
  name = 'sessions',
): PostgresRebuildModel => ({
  name,
  streamPrefix: projection.streamPrefix,
  owned: [
    { name: 'session_activity', orderBy: 'user_id, at, message_id' },
    { name: 'sessions', orderBy: 'user_id, started_at, first_message_id' },
  ],
  shadowTables: ['session_activity', 'sessions', 'session_checkpoints'],
  checkpointTable: 'session_checkpoints',
  holdLiveWriters: async (client) => {
    await lockCheckpoint(client, { projection: name, table: 'session_checkpoints' });
  },
  openShadow: async (pool, schema) => shadowOf(name, new PostgresSessionStore(pool, { schema }), projection),
});

/** the shadow's writes: the projection's own `apply`, through the store's own `applyBatch` */
const shadowOf = <Writer>(
  name: string,
  store: CheckpointedStore<Writer> & { close(): Promise<void> },
  projection: Projection<Writer>,
): PostgresShadowStore => ({
  apply: (checkpoint, batch) =>
    store.applyBatch(name, checkpoint, (writer) => {
      for (const event of batch) projection.apply(event, writer);
    }),
  commit: async () => store.commitBulkLoad?.(),
  close: () => store.close(),
});
