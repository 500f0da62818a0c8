import { join } from 'node:path';
import type { AlertStore } from '../../application/ports/alertStore/alertStore.ts';
import type { AutomationStore } from '../../application/ports/automationStore/automationStore.ts';
import { systemClock } from '../../application/ports/clock.ts';
import type { LeaseGrant, Leases } from '../../application/ports/lease/lease.ts';
import type { RawEventIndex } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { ReadModelQueries, ReadModelStore } from '../../application/ports/readModels/readModels.ts';
import type { SessionStore } from '../../application/ports/sessionStore/sessionStore.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { InProcessLeases } from '../../infrastructure/inProcess/inProcessLeases.ts';
import { PostgresAlertStore } from '../../infrastructure/postgres/alertStore/postgresAlertStore.ts';
import { PostgresAutomationStore } from '../../infrastructure/postgres/automationStore/postgresAutomationStore.ts';
import { PostgresLeases } from '../../infrastructure/postgres/lease/postgresLeases.ts';
import { PostgresReadSide } from '../../infrastructure/postgres/postgresReadSide.ts';
import { PostgresRawEventIndex } from '../../infrastructure/postgres/rawEventIndex/postgresRawEventIndex.ts';
import { PostgresReadModels } from '../../infrastructure/postgres/readModels/postgresReadModels.ts';
import { PostgresSessionStore } from '../../infrastructure/postgres/sessionStore/postgresSessionStore.ts';
import { SqliteAlertStore } from '../../infrastructure/sqlite/alertStore/sqliteAlertStore.ts';
import { SqliteAutomationStore } from '../../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import { SqliteRawEventIndex } from '../../infrastructure/sqlite/rawEventIndex/sqliteRawEventIndex.ts';
import { SqliteReadModels } from '../../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import { SqliteSessionStore } from '../../infrastructure/sqlite/sessionStore/sqliteSessionStore.ts';
import { type ProjectionName, readModelFileOf } from '../projector/journeyProjections.ts';
import { deferredAdapter } from './deferredAdapter.ts';

export type ReadModels = ReadModelStore & ReadModelQueries;

export type ReadSide = {
  /**
   * the store one projection writes (and its queries); a new instance each call. `fence` (here
   * and below): the lease of the role writing through it; its writes are refused once another
   * replica took over. SQLite ignores it: one process owns the files.
   */
  readModels(name: ProjectionName, fence?: LeaseGrant): ReadModels;
  alertStore(fence?: LeaseGrant): AlertStore;
  sessionStore(fence?: LeaseGrant): SessionStore;
  /** the automations read model and its delivery outbox */
  automationStore(fence?: LeaseGrant): AutomationStore;
  /** the live explorer's index of raw events and what the mapper made of them */
  rawEventIndex(): RawEventIndex;
  /** the singleton roles' leases: in the database when there is one, else in this process */
  leases(): Leases;
  /** ends what the adapters share (the PostgreSQL pool) now; closing the last adapter also does */
  close(): Promise<void>;
};

/**
 * A listener on a deferred adapter's news (`onRaised`, `onEnqueued`, `onChange`): registered
 * once the store is open, cancelled by unsubscribing before that. A store that failed to open
 * is not listened to: its worker polls anyway.
 */
const listenOnceOpen =
  <S>(subscribe: (store: S, listener: () => void) => () => void) =>
  (opened: Promise<S>, listener: () => void): (() => void) => {
    let unsubscribe: (() => void) | undefined;
    let cancelled = false;
    opened.then(
      (store) => {
        if (!cancelled) unsubscribe = subscribe(store, listener);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  };

/**
 * Where the read models, the sessions, the alert store, the automations outbox and the
 * explorer's raw-event index live: SQLite files under JOURNEY_DATA_DIR (each in its own file, so
 * their commits never wait for each other), or one PostgreSQL database every process shares
 * when JOURNEY_DATABASE_URL is set.
 */
export const readSideFor = (config: JourneyConfig, role: string): ReadSide => {
  const url = config.JOURNEY_DATABASE_URL;
  const windowDays = config.JOURNEY_ACTIVE_WINDOW_DAYS;
  if (url === undefined)
    return {
      readModels: (name) => new SqliteReadModels(readModelFileOf(config, name), { windowDays }),
      // never fenced: one process owns the SQLite files, and its in-process leases have one holder at a time
      alertStore: () => new SqliteAlertStore(join(config.JOURNEY_DATA_DIR, 'alerts.db')),
      sessionStore: () => new SqliteSessionStore(join(config.JOURNEY_DATA_DIR, 'sessions.db')),
      automationStore: () => new SqliteAutomationStore(join(config.JOURNEY_DATA_DIR, 'automations.db')),
      rawEventIndex: () => new SqliteRawEventIndex(join(config.JOURNEY_DATA_DIR, 'rawevents.db')),
      leases: () => new InProcessLeases(systemClock),
      close: async () => undefined,
    };
  const shared = new PostgresReadSide({
    url,
    poolSize: config.JOURNEY_DATABASE_POOL_SIZE,
    applicationName: `journey ${role}`,
  });
  // the pool ends with the last adapter: a process (a worker thread) whose pool stayed open would never exit
  let open = 0;
  const counted = <T extends { close(): Promise<void> }>(adapter: T): T => {
    open++;
    const closeAdapter = adapter.close.bind(adapter);
    let closed = false;
    adapter.close = async () => {
      if (closed) return;
      closed = true;
      try {
        await closeAdapter();
      } finally {
        if (--open === 0) await shared.close();
      }
    };
    return adapter;
  };
  return {
    readModels: (_name, fence) =>
      counted(
        deferredAdapter(
          async () => PostgresReadModels.open(await shared.pool(), { windowDays, ...(fence ? { fence } : {}) }),
          PostgresReadModels.prototype,
        ),
      ),
    leases: () => {
      // a pool of its own: a renewal never waits behind a busy alerter's queue of outbox writes
      const own = new PostgresReadSide({ url, poolSize: 2, applicationName: `journey ${role} leases` });
      const leases = deferredAdapter(async () => new PostgresLeases(await own.pool()), PostgresLeases.prototype);
      const closeLeases = leases.close.bind(leases);
      leases.close = async () => {
        await closeLeases();
        await own.close();
      };
      return leases;
    },
    alertStore: (fence) =>
      counted(
        deferredAdapter(
          async () => new PostgresAlertStore(await shared.pool(), fence && { fence }),
          PostgresAlertStore.prototype,
          { onRaised: listenOnceOpen<AlertStore>((store, listener) => store.onRaised(listener)) },
        ),
      ),
    sessionStore: (fence) =>
      counted(
        deferredAdapter(
          async () => new PostgresSessionStore(await shared.pool(), fence && { fence }),
          PostgresSessionStore.prototype,
        ),
      ),
    automationStore: (fence) =>
      counted(
        deferredAdapter(
          async () => new PostgresAutomationStore(await shared.pool(), fence && { fence }),
          PostgresAutomationStore.prototype,
          { onEnqueued: listenOnceOpen<AutomationStore>((store, listener) => store.onEnqueued(listener)) },
        ),
      ),
    rawEventIndex: () =>
      counted(
        deferredAdapter(async () => new PostgresRawEventIndex(await shared.pool()), PostgresRawEventIndex.prototype, {
          onChange: listenOnceOpen<RawEventIndex>((index, listener) => index.onChange?.(listener) ?? (() => undefined)),
        }),
      ),
    close: () => shared.close(),
  };
};
