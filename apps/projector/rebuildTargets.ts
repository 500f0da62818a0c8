import { join } from 'node:path';
import type { Clock } from '../../application/ports/clock.ts';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import type { RebuildTarget } from '../../application/ports/rebuildTarget.ts';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import { alertRulesOf } from '../../infrastructure/config/alertsConfig.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { loadAutomations } from '../../infrastructure/config/loadAutomations.ts';
import { PostgresRebuildTarget } from '../../infrastructure/postgres/rebuild/postgresRebuildTarget.ts';
import {
  alertRebuildModel,
  automationRebuildModel,
  readModelRebuildModel,
  sessionRebuildModel,
} from '../../infrastructure/postgres/rebuild/rebuildModels.ts';
import { alertStateIndexes, LIVE_ALERT_STATE_TABLES } from '../../infrastructure/sqlite/alertStore/alertTables.ts';
import { SqliteAlertStore } from '../../infrastructure/sqlite/alertStore/sqliteAlertStore.ts';
import {
  AUTOMATION_CHECKPOINTS,
  automationStateIndexes,
  LIVE_AUTOMATION_STATE_TABLES,
} from '../../infrastructure/sqlite/automationStore/automationTables.ts';
import { SqliteAutomationStore } from '../../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import {
  LIVE_READ_MODEL_TABLES,
  type ReadModelTableNames,
  readModelIndexes,
} from '../../infrastructure/sqlite/readModels/readModelTables.ts';
import { SqliteReadModels } from '../../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import { ensureIndexes } from '../../infrastructure/sqlite/secondaryIndexes.ts';
import {
  LIVE_SESSION_TABLES,
  SESSION_CHECKPOINTS,
  sessionIndexes,
} from '../../infrastructure/sqlite/sessionStore/sessionTables.ts';
import { SqliteSessionStore } from '../../infrastructure/sqlite/sessionStore/sqliteSessionStore.ts';
import { type ShadowStore, SqliteRebuildTarget } from '../../infrastructure/sqlite/sqliteRebuildTarget.ts';
import { alertsProjection } from '../../projections/alerts/alertsProjection.ts';
import { automationsProjection } from '../../projections/automations/automationsProjection.ts';
import type { CheckpointedStore, Projection } from '../../projections/projection.ts';
import { sessionsProjection } from '../../projections/sessions/sessionsProjection.ts';
import { automationRulesOf } from '../journey/automationRules.ts';
import { journeyProjection, readModelFileOf } from './journeyProjections.ts';

export const rebuildableProjections = ['timeline', 'users', 'alerts', 'sessions', 'automations'] as const;
export type RebuildableProjection = (typeof rebuildableProjections)[number];

/** the projections this configuration has: `automations` only with an automations file */
export const rebuildableProjectionsOf = (config: JourneyConfig): RebuildableProjection[] =>
  rebuildableProjections.filter((name) => name !== 'automations' || config.JOURNEY_AUTOMATIONS !== undefined);

/** the automations projection as the live projector runs it; an error naming what to set without a file */
const automationsProjectionOf = (config: JourneyConfig, clock: Clock) => {
  if (config.JOURNEY_AUTOMATIONS === undefined)
    throw new ConfigError(
      'cannot rebuild automations: no automations file is configured; set JOURNEY_AUTOMATIONS to the automations file the running Journey uses (see docs/automations.md)',
    );
  const compiled = loadAutomations(config.JOURNEY_AUTOMATIONS, { natsUrl: config.NATS_URL });
  return automationsProjection(compiled, automationRulesOf(config), clock);
};

/** the shadow's writes: the projection's own `apply`, through the store's own `applyBatch` */
const shadowOf = <Writer>(
  store: CheckpointedStore<Writer> & { close(): Promise<void> },
  projection: Projection<Writer>,
  indexes: ShadowStore['indexes'],
): ShadowStore => ({
  apply: (name, checkpoint, batch: readonly RecordedEvent[]) =>
    store.applyBatch(name, checkpoint, (writer) => {
      for (const event of batch) projection.apply(event, writer);
    }),
  commit: async () => store.commitBulkLoad?.(),
  indexes,
  close: () => store.close(),
});

const readModelTablesOf = (rename: (table: string) => string): ReadModelTableNames => ({
  timeline: rename(LIVE_READ_MODEL_TABLES.timeline),
  users: rename(LIVE_READ_MODEL_TABLES.users),
  activityDays: rename(LIVE_READ_MODEL_TABLES.activityDays),
  stageDays: rename(LIVE_READ_MODEL_TABLES.stageDays),
  stageMinutes: rename(LIVE_READ_MODEL_TABLES.stageMinutes),
  stageInstants: rename(LIVE_READ_MODEL_TABLES.stageInstants),
  stageWindow: rename(LIVE_READ_MODEL_TABLES.stageWindow),
});

/** the projections whose read models JOURNEY_DATABASE_URL puts in PostgreSQL */
const inPostgres = ['timeline', 'users', 'alerts', 'sessions', 'automations'] as const;
const isInPostgres = (name: RebuildableProjection): name is (typeof inPostgres)[number] =>
  (inPostgres as readonly string[]).includes(name);

const postgresRebuildTargetOf = (
  config: JourneyConfig,
  url: string,
  name: (typeof inPostgres)[number],
  clock: Clock,
): RebuildTarget =>
  new PostgresRebuildTarget(
    name === 'alerts'
      ? alertRebuildModel(alertsProjection(alertRulesOf(config), clock))
      : name === 'sessions'
        ? sessionRebuildModel(sessionsProjection(config.JOURNEY_SESSION_TIMEOUT_MINUTES))
        : name === 'automations'
          ? automationRebuildModel(automationsProjectionOf(config, clock))
          : readModelRebuildModel(name, journeyProjection(config, name), {
              url,
              windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
            }),
    url,
  );

/**
 * Where each of Journey's projections keeps its read model, as a rebuild target. The alert
 * shadow raises nothing and the automations shadow enqueues nothing: their outboxes are shared
 * and keyed, and a rebuild sends no alert and no delivery.
 */
export const rebuildTargetOf = (config: JourneyConfig, name: RebuildableProjection, clock: Clock): RebuildTarget => {
  if (config.JOURNEY_DATABASE_URL !== undefined && isInPostgres(name))
    return postgresRebuildTargetOf(config, config.JOURNEY_DATABASE_URL, name, clock);
  switch (name) {
    case 'timeline':
    case 'users': {
      const projection = journeyProjection(config, name);
      const file = readModelFileOf(config, name);
      const owned =
        name === 'timeline'
          ? [{ name: 'timeline', orderBy: 'event_id' }]
          : [
              { name: 'users', orderBy: 'user_id' },
              { name: 'activity_days', orderBy: 'user_id, day' },
              { name: 'stage_days', orderBy: 'day' },
              { name: 'stage_minutes', orderBy: 'minute' },
              { name: 'stage_instants', orderBy: 'at' },
              { name: 'stage_window', orderBy: 'id' },
            ];
      const all = Object.values(LIVE_READ_MODEL_TABLES);
      return new SqliteRebuildTarget({
        name,
        streamPrefix: projection.streamPrefix,
        file,
        checkpointTable: 'checkpoints',
        owned,
        alsoCreated: all.filter((t) => !owned.some((o) => o.name === t)),
        openShadow: (db, rename) => {
          const tables = readModelTablesOf(rename);
          const store = new SqliteReadModels(file, {
            database: db,
            tables,
            deferIndexes: true,
            soleWriter: true,
            windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
          });
          const ownedNames = new Set(owned.map((o) => rename(o.name)));
          return shadowOf(
            store,
            projection,
            readModelIndexes(tables).filter((i) => ownedNames.has(i.table)),
          );
        },
      });
    }
    case 'alerts': {
      const projection = alertsProjection(alertRulesOf(config), clock);
      const file = join(config.JOURNEY_DATA_DIR, 'alerts.db');
      return new SqliteRebuildTarget({
        name,
        streamPrefix: projection.streamPrefix,
        file,
        checkpointTable: 'alert_checkpoints',
        owned: [
          { name: LIVE_ALERT_STATE_TABLES.deployments, orderBy: 'deployment_id' },
          { name: LIVE_ALERT_STATE_TABLES.errorGroups, orderBy: 'user_id, code' },
        ],
        openShadow: (db, rename) => {
          const stateTables = {
            deployments: rename(LIVE_ALERT_STATE_TABLES.deployments),
            errorGroups: rename(LIVE_ALERT_STATE_TABLES.errorGroups),
          };
          const store = new SqliteAlertStore(file, {
            database: db,
            stateTables,
            deferIndexes: true,
            raiseNothing: true,
            soleWriter: true,
          });
          return shadowOf(store, projection, alertStateIndexes(stateTables));
        },
      });
    }
    case 'sessions': {
      const projection = sessionsProjection(config.JOURNEY_SESSION_TIMEOUT_MINUTES);
      const file = join(config.JOURNEY_DATA_DIR, 'sessions.db');
      return new SqliteRebuildTarget({
        name,
        streamPrefix: projection.streamPrefix,
        file,
        checkpointTable: SESSION_CHECKPOINTS,
        owned: [
          { name: LIVE_SESSION_TABLES.activity, orderBy: 'user_id, at, message_id' },
          { name: LIVE_SESSION_TABLES.sessions, orderBy: 'user_id, started_at, first_message_id' },
        ],
        openShadow: (db, rename) => {
          const tables = {
            activity: rename(LIVE_SESSION_TABLES.activity),
            sessions: rename(LIVE_SESSION_TABLES.sessions),
          };
          const store = new SqliteSessionStore(file, { database: db, tables, deferIndexes: true });
          return shadowOf(store, projection, sessionIndexes(tables));
        },
      });
    }
    case 'automations': {
      const projection = automationsProjectionOf(config, clock);
      const file = join(config.JOURNEY_DATA_DIR, 'automations.db');
      return new SqliteRebuildTarget({
        name,
        streamPrefix: projection.streamPrefix,
        file,
        checkpointTable: AUTOMATION_CHECKPOINTS,
        owned: [
          { name: LIVE_AUTOMATION_STATE_TABLES.users, orderBy: 'user_id' },
          { name: LIVE_AUTOMATION_STATE_TABLES.timers, orderBy: 'id' },
        ],
        openShadow: (db, rename) => {
          const stateTables = {
            users: rename(LIVE_AUTOMATION_STATE_TABLES.users),
            timers: rename(LIVE_AUTOMATION_STATE_TABLES.timers),
          };
          const store = new SqliteAutomationStore(file, {
            database: db,
            stateTables,
            deferIndexes: true,
            enqueueNothing: true,
          });
          // the projection reads each user's waiting timers: index them from the start, under the rebuilt name
          const indexes = automationStateIndexes(stateTables);
          ensureIndexes(db, indexes, rename(''));
          return shadowOf(store, projection, indexes);
        },
      });
    }
    default: {
      const unknown: never = name;
      return unknown;
    }
  }
};
