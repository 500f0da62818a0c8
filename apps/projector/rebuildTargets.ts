import { join } from 'node:path';
import type { Clock } from '../../application/ports/clock.ts';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import type { RebuildTarget } from '../../application/ports/rebuildTarget.ts';
import { alertRulesOf } from '../../infrastructure/config/alertsConfig.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { PostgresRebuildTarget } from '../../infrastructure/postgres/rebuild/postgresRebuildTarget.ts';
import {
  alertRebuildModel,
  readModelRebuildModel,
  sessionRebuildModel,
} from '../../infrastructure/postgres/rebuild/rebuildModels.ts';
import { alertStateIndexes, LIVE_ALERT_STATE_TABLES } from '../../infrastructure/sqlite/alertStore/alertTables.ts';
import { SqliteAlertStore } from '../../infrastructure/sqlite/alertStore/sqliteAlertStore.ts';
import {
  LIVE_READ_MODEL_TABLES,
  type ReadModelTableNames,
  readModelIndexes,
} from '../../infrastructure/sqlite/readModels/readModelTables.ts';
import { SqliteReadModels } from '../../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import {
  LIVE_SESSION_TABLES,
  SESSION_CHECKPOINTS,
  sessionIndexes,
} from '../../infrastructure/sqlite/sessionStore/sessionTables.ts';
import { SqliteSessionStore } from '../../infrastructure/sqlite/sessionStore/sqliteSessionStore.ts';
import { type ShadowStore, SqliteRebuildTarget } from '../../infrastructure/sqlite/sqliteRebuildTarget.ts';
import { alertsProjection } from '../../projections/alerts/alertsProjection.ts';
import type { CheckpointedStore, Projection } from '../../projections/projection.ts';
import { sessionsProjection } from '../../projections/sessions/sessionsProjection.ts';
import { journeyProjection, readModelFileOf } from './journeyProjections.ts';

export const rebuildableProjections = ['timeline', 'users', 'alerts', 'sessions'] as const;
export type RebuildableProjection = (typeof rebuildableProjections)[number];

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
const inPostgres = ['timeline', 'users', 'alerts', 'sessions'] as const;
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
        : readModelRebuildModel(name, journeyProjection(config, name), {
            url,
            windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
          }),
    url,
  );

/**
 * Where each of Journey's projections keeps its read model, as a rebuild target. The alert
 * shadow raises nothing: the outbox is shared and keyed, and a rebuild sends no alert.
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
    default: {
      const unknown: never = name;
      return unknown;
    }
  }
};
