import { join } from 'node:path';
import { JetStreamRawLog } from '../../infrastructure/nats/jetStreamRawLog.ts';
import { SqliteRawLog } from '../../infrastructure/sqlite/rawLog/sqliteRawLog.ts';
import { freePort } from '../freePort.ts';
import { type JourneyProcess, journeyProcess } from '../journey/journeyProcess.ts';
import type { NatsClusterHarness } from '../nats/natsClusterHarness.ts';
import { type NatsServerHarness, startNatsServer } from '../nats/natsServerHarness.ts';
import type { FakeSlack } from '../slack/fakeSlack.ts';
import { tempDataDir } from '../tempDataDir.ts';

export const WRITE_KEY = 'wk_reliability_0123456789';
export const API_TOKEN = 'jt_reliability_0123456789abcdef';

/** `start` is every app in one process (the embedded default) */
type App = 'collector' | 'mapper' | 'projector' | 'api' | 'alerter' | 'start';

export type ClusterOptions = {
  /** how many of each app to run; e.g. { collector: 1, mapper: 2 } */
  readonly apps: Partial<Record<App, number>>;
  readonly slack?: FakeSlack;
  readonly env?: Record<string, string>;
  /** false: no nats-server, the raw log in SQLite (raw.db); default true */
  readonly nats?: boolean;
  /** a JetStream cluster the caller started (and stops) instead of a private nats-server; RAW gets one replica per node */
  readonly natsCluster?: NatsClusterHarness;
};

export type JourneyCluster = {
  readonly nats: NatsServerHarness;
  readonly dataDir: string;
  /** the collector's URL (its port survives restarts) */
  readonly url: string;
  /** the API's: the collector's, or the `api` app's own when there is one */
  readonly apiUrl: string;
  /** by name: collector, mapper, mapper-2, projector, alerter */
  readonly processes: ReadonlyMap<string, JourneyProcess>;
  process(name: string): JourneyProcess;
  /** the environment every app runs with */
  env(): Record<string, string>;
  /** unacknowledged raw events of the mapper group */
  mapperPending(): Promise<number>;
  /** every exit that no test caused */
  unexpectedExits(): string[];
  stop(): Promise<void>;
};

/**
 * Test support: Journey's apps as separate OS processes on NATS JetStream and SQLite, each
 * started with `node bin/journey.js <app>` on one data directory, the way `docker compose`
 * runs them. The reliability suites kill and restart them through `process(name)`.
 */
export const startJourneyCluster = async (options: ClusterOptions): Promise<JourneyCluster> => {
  const withNats = (options.nats ?? true) && options.natsCluster === undefined;
  const nats = withNats ? await startNatsServer() : undefined;
  const natsUrl = options.natsCluster?.url ?? nats?.url;
  const replicas = options.natsCluster?.nodes.length ?? 1;
  const data = await tempDataDir('reliability');
  const dataDir = data.dir;
  const port = await freePort();
  const apiPort = options.apps.api ? await freePort() : port;
  const env = (): Record<string, string> => ({
    ...(natsUrl ? { NATS_URL: natsUrl, NATS_PUBLISH_TIMEOUT_MS: '1000', JOURNEY_RAW_REPLICAS: String(replicas) } : {}),
    JOURNEY_DATA_DIR: dataDir,
    JOURNEY_WRITE_KEYS: `generator:${WRITE_KEY}`,
    JOURNEY_API_TOKEN: API_TOKEN,
    JOURNEY_SQLITE_POLL_MS: '20',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...(options.slack
      ? {
          SLACK_BOT_TOKEN: 'xoxb-reliability',
          SLACK_API_URL: options.slack.apiUrl,
          JOURNEY_PUBLIC_URL: 'https://journey.test',
        }
      : {}),
    ...options.env,
  });
  const processes = new Map<string, JourneyProcess>();
  for (const app of ['start', 'collector', 'mapper', 'projector', 'api', 'alerter'] as const) {
    for (let i = 1; i <= (options.apps[app] ?? 0); i++) {
      const name = i === 1 ? app : `${app}-${i}`;
      // the collector listens on the known port, the API on its own; the others get PORT 0 in case they ever do
      const listens = app === 'collector' || app === 'start';
      processes.set(
        name,
        journeyProcess(name, [app], () =>
          listens ? env() : { ...env(), PORT: app === 'api' ? String(apiPort) : '0' },
        ),
      );
    }
  }
  const rawLog = natsUrl ? new JetStreamRawLog(natsUrl, { replicas }) : new SqliteRawLog(join(dataDir, 'raw.db'));
  const cluster: JourneyCluster = {
    get nats() {
      if (!nats) throw new Error('this cluster runs without a private nats-server (nats: false, or natsCluster)');
      return nats;
    },
    dataDir,
    url: `http://127.0.0.1:${port}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    processes,
    process(name) {
      const found = processes.get(name);
      if (!found) throw new Error(`no process ${name} in this cluster (${[...processes.keys()].join(', ')})`);
      return found;
    },
    env,
    mapperPending: () => rawLog.pending('mapper'),
    unexpectedExits: () => [...processes.values()].flatMap((p) => p.unexpectedExits),
    async stop() {
      await Promise.all([...processes.values()].map((p) => p.kill()));
      await rawLog.close();
      await nats?.stop();
      await data.remove();
    },
  };
  try {
    // one after another: on a loaded machine five processes loading their code at once each
    // took minutes to start
    for (const p of processes.values()) await p.start();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
};
