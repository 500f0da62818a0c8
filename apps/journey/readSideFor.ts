import { join } from 'node:path';
import type { AlertStore } from '../../application/ports/alertStore/alertStore.ts';
import { systemClock } from '../../application/ports/clock.ts';
import type { LeaseGrant, Leases } from '../../application/ports/lease/lease.ts';
import type { ReadModelQueries, ReadModelStore } from '../../application/ports/readModels/readModels.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { InProcessLeases } from '../../infrastructure/inProcess/inProcessLeases.ts';
import { PostgresAlertStore } from '../../infrastructure/postgres/alertStore/postgresAlertStore.ts';
import { PostgresLeases } from '../../infrastructure/postgres/lease/postgresLeases.ts';
import { PostgresReadSide } from '../../infrastructure/postgres/postgresReadSide.ts';
import { PostgresReadModels } from '../../infrastructure/postgres/readModels/postgresReadModels.ts';
import { SqliteAlertStore } from '../../infrastructure/sqlite/alertStore/sqliteAlertStore.ts';
import { SqliteReadModels } from '../../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import { type ProjectionName, readModelFileOf } from '../projector/journeyProjections.ts';
import { deferredAdapter } from './deferredAdapter.ts';

export type ReadModels = ReadModelStore & ReadModelQueries;

export type ReadSide = {
  /** the store one projection writes (and its queries); a new instance each call */
  readModels(name: ProjectionName): ReadModels;
  /** `fence`: the lease of the role writing through it; its writes are refused once another replica took over */
  alertStore(fence?: LeaseGrant): AlertStore;
  /** the singleton roles' leases: in the database when there is one, else in this process */
  leases(): Leases;
  /** ends what the adapters share (the PostgreSQL pool) now; closing the last adapter also does */
  close(): Promise<void>;
};

/**
 * Where the read models and the alert store live: SQLite files under JOURNEY_DATA_DIR (each
 * projection and the alerts in their own file, so their commits never wait for each other),
 * or one PostgreSQL database every process shares when JOURNEY_DATABASE_URL is set.
 */
export const readSideFor = (config: JourneyConfig, role: string): ReadSide => {
  const url = config.JOURNEY_DATABASE_URL;
  const windowDays = config.JOURNEY_ACTIVE_WINDOW_DAYS;
  if (url === undefined)
    return {
      readModels: (name) => new SqliteReadModels(readModelFileOf(config, name), { windowDays }),
      // never fenced: one process owns the SQLite files, and its in-process leases have one holder at a time
      alertStore: () => new SqliteAlertStore(join(config.JOURNEY_DATA_DIR, 'alerts.db')),
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
    readModels: () =>
      counted(
        deferredAdapter(
          async () => PostgresReadModels.open(await shared.pool(), { windowDays }),
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
          {
            // a listener is registered once the store is open; unsubscribing before that cancels it
            onRaised: (opened: Promise<AlertStore>, listener: () => void) => {
              let unsubscribe: (() => void) | undefined;
              let cancelled = false;
              // a store that failed to open is not listened to: the alerter polls the outbox anyway
              opened.then(
                (store) => {
                  if (!cancelled) unsubscribe = store.onRaised(listener);
                },
                () => undefined,
              );
              return () => {
                cancelled = true;
                unsubscribe?.();
              };
            },
          },
        ),
      ),
    close: () => shared.close(),
  };
};
