import { mkdirSync } from 'node:fs';
import { startRawEventRetention } from '../../application/explorer/pruneRawEvents.ts';
import { RawEventQueries } from '../../application/explorer/rawEventQueries.ts';
import { RawEventRecorder } from '../../application/explorer/rawEventRecorder.ts';
import { IngestEvents } from '../../application/ingest/ingestEvents.ts';
import { LeasedRole } from '../../application/leases/leasedRole.ts';
import { MapRawEvents } from '../../application/mapping/mapRawEvents.ts';
import { type AlertStore, AlertStoreToken } from '../../application/ports/alertStore/alertStore.ts';
import { type AutomationStore, AutomationStoreToken } from '../../application/ports/automationStore/automationStore.ts';
import { type Clock, ClockToken } from '../../application/ports/clock.ts';
import { type EventStore, EventStoreToken } from '../../application/ports/eventStore/eventStore.ts';
import { type Leases, LeasesToken } from '../../application/ports/lease/lease.ts';
import { LoggerToken } from '../../application/ports/logger.ts';
import { type RawEventIndex, RawEventIndexToken } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import { type RawLog, RawLogToken } from '../../application/ports/rawLog/rawLog.ts';
import { ReadModelQueriesToken, ReadModelStoreToken } from '../../application/ports/readModels/readModels.ts';
import { type SessionStore, SessionStoreToken } from '../../application/ports/sessionStore/sessionStore.ts';
import { DailySeries } from '../../application/queries/dailySeries.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import { SessionQueries } from '../../application/queries/sessionQueries.ts';
import { recordedReport } from '../../application/reports/runFunnelReport.ts';
import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { Credentials } from '../../infrastructure/config/credentials.ts';
import { registerApiRoutes } from '../../infrastructure/http/apiRoutes.ts';
import { registerCollectorRoutes } from '../../infrastructure/http/collectorRoutes.ts';
import { createHttpServer } from '../../infrastructure/http/createHttpServer.ts';
import { registerOpsRoutes } from '../../infrastructure/http/opsRoutes.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import type { ThreadHeaps } from '../../infrastructure/metrics/threadHeap.ts';
import { connectNats } from '../../infrastructure/nats/natsConnection.ts';
import { NatsJourneyEventPublisher } from '../../infrastructure/nats/natsJourneyEventPublisher.ts';
import { Projector } from '../projector/projector.ts';
import { natsAuthOf, whenReady } from './adapters.ts';
import { type AppName, appNames } from './appNames.ts';
import { AutomationsToken, CredentialsToken, createContainer, RulesToken, ThreadHeapsToken } from './container.ts';
import { type JourneyOps, journeyOps } from './journeyOps.ts';
import { leaseHolder } from './leaseHolder.ts';
import { startOpsServer } from './opsServer.ts';
import { SupervisedWorker } from './supervisedWorker.ts';
import { WorkerRawEventIndexWriter } from './workerRawEventIndexWriter.ts';

const dataDirMessage = (dir: string, error: unknown): string =>
  `JOURNEY_DATA_DIR=${dir} cannot be created (${(error as NodeJS.ErrnoException).code}); point it at a writable directory`;

const cannotListenMessage = (config: JourneyConfig, code: string): string =>
  `cannot listen on ${config.HOST}:${config.PORT} (${code}); stop what uses it or set PORT/HOST`;

const ensureDataDir = (dir: string): void => {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ConfigError(dataDirMessage(dir, error));
  }
};

export type RunningJourney = {
  /** where the HTTP server listens, when the collector or the API runs here */
  readonly url: string | undefined;
  readonly credentials: Credentials;
  readonly apps: readonly AppName[];
  readonly container: ReturnType<typeof createContainer>;
  /** this process's metrics and readiness */
  readonly ops: JourneyOps;
  /** where /metrics, /readyz and /healthz are served on JOURNEY_OPS_PORT, when it is set */
  readonly opsUrl: string | undefined;
  stop(): Promise<void>;
};

/**
 * Runs some or all of Journey's apps in this process on one configuration: `journey start`
 * runs all four (the embedded default), `journey mapper` only the mapper, and so on. One code
 * path, whichever way it is deployed.
 */
export const startJourney = async (
  config: JourneyConfig,
  apps: readonly AppName[] = appNames,
): Promise<RunningJourney> => {
  ensureDataDir(config.JOURNEY_DATA_DIR);
  const container = createContainer(config);
  const ops = journeyOps(config, container, apps); // before anything resolves the raw log
  const logger = container.get<JourneyLogger>(LoggerToken);
  const credentials = container.get<Credentials>(CredentialsToken);
  const heaps = container.get<ThreadHeaps>(ThreadHeapsToken);
  if (apps.includes('mapper')) container.get(RulesToken); // a bad rules file stops start-up here
  // and so does a bad automations file
  if (apps.includes('projector') || apps.includes('automator')) container.get(AutomationsToken);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops) await s();
    await container.unbindAllAsync();
  };
  try {
    // connect to what these apps use first, so an unreachable server fails start-up with its URL
    if (apps.includes('collector') || apps.includes('mapper')) await whenReady(container.get(RawLogToken));
    if (apps.includes('mapper') || apps.includes('projector')) await whenReady(container.get(EventStoreToken));
    // the read side too (PostgreSQL opens here): a wrong password or database stops start-up, not the first query
    if (apps.includes('projector') || apps.includes('api')) {
      await whenReady(container.get(ReadModelStoreToken));
      await whenReady(container.get(AlertStoreToken));
    }
    let url: string | undefined;
    if (apps.includes('collector') || apps.includes('api')) {
      const app = createHttpServer({
        logger,
        requestTimeoutMs: config.JOURNEY_REQUEST_TIMEOUT_MS,
        idleTimeoutMs: config.JOURNEY_IDLE_TIMEOUT_MS,
      });
      registerOpsRoutes(app, ops);
      if (apps.includes('collector')) {
        registerCollectorRoutes(app, {
          ingest: container.get(IngestEvents),
          writeKeys: credentials.writeKeys,
          corsOrigins: config.JOURNEY_CORS_ORIGINS,
          ratePerMinute: config.JOURNEY_RATE_LIMIT_PER_MINUTE,
          replicas: config.JOURNEY_COLLECTOR_REPLICAS,
        });
      }
      if (apps.includes('api')) {
        const rawEventIndex = container.get<RawEventIndex>(RawEventIndexToken);
        registerApiRoutes(app, {
          queries: container.get(JourneyQueries),
          apiToken: credentials.apiToken,
          clock: container.get<Clock>(ClockToken),
          alerts: container.get<AlertStore>(AlertStoreToken),
          series: new DailySeries(container.get(ReadModelQueriesToken), container.get<AlertStore>(AlertStoreToken)),
          reports: { recorded: (date) => recordedReport(container.get(EventStoreToken), date) },
          automations: {
            automations: container.get(AutomationsToken),
            // opened on first use, so a Journey without automations makes no automations.db
            store: {
              listDeliveries: (filter) => container.get<AutomationStore>(AutomationStoreToken).listDeliveries(filter),
              countDeliveries: () => container.get<AutomationStore>(AutomationStoreToken).countDeliveries(),
              get: (id) => container.get<AutomationStore>(AutomationStoreToken).get(id),
              retry: (id, now) => container.get<AutomationStore>(AutomationStoreToken).retry(id, now),
            },
          },
          sessions: new SessionQueries(container.get<SessionStore>(SessionStoreToken)),
          eventFeed: {
            // resolved on first use, like the reports: an API-only process opens the store when a feed does
            store: { subscribeAll: (options) => container.get<EventStore>(EventStoreToken).subscribeAll(options) },
            // a quiet feed must outlive the idle-socket timeout
            heartbeatMs: Math.min(15_000, Math.floor(config.JOURNEY_IDLE_TIMEOUT_MS / 2)),
          },
          rawEvents: {
            // news of a write ends a stream's wait for its poll: PostgreSQL's index hears every
            // process's writes (LISTEN/NOTIFY); with SQLite, a process that also maps hears its index thread
            queries: new RawEventQueries(
              rawEventIndex,
              rawEventIndex.onChange?.bind(rawEventIndex) ??
                (apps.includes('mapper')
                  ? (listener) => container.get(WorkerRawEventIndexWriter).onWritten(listener)
                  : undefined),
            ),
            pollMs: Math.max(config.JOURNEY_SQLITE_POLL_MS, 100),
            heartbeatMs: Math.min(15_000, Math.floor(config.JOURNEY_IDLE_TIMEOUT_MS / 2)),
          },
        });
      }
      try {
        url = await app.listen({ port: config.PORT, host: config.HOST });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL'
          ? new ConfigError(cannotListenMessage(config, code))
          : error;
      }
      stops.push(() => app.close());
    }
    // the collector and the API serve the ops routes on PORT too; JOURNEY_OPS_PORT gives them a port of
    // their own as well, so Prometheus scrapes every process alike and never the public port
    const opsPort = config.JOURNEY_OPS_PORT;
    const opsServer =
      url === undefined || (opsPort !== undefined && new URL(url).port !== String(opsPort))
        ? await startOpsServer(config, ops, logger)
        : undefined;
    if (opsServer) stops.push(opsServer.close);
    // the worker threads start at once: each loads its module graph for seconds, and one after
    // another they made most of the start-up; the stops keep this order whatever finishes first
    const starts: (() => Promise<() => Promise<void>>)[] = [];
    if (apps.includes('mapper'))
      starts.push(async () => {
        await container.get(WorkerRawEventIndexWriter).start();
        const mapper = container.get(MapRawEvents);
        const rawLog = container.get<RawLog>(RawLogToken);
        const consumer = rawLog.consume({ group: 'mapper' }, mapper.handle);
        // the explorer's index: its worker thread brings in what the raw log stores (a copy in SQL,
        // or the log's `explorer` group); the mapper hands what each event became to the recorder,
        // which sends it there
        const recorder = container.get(RawEventRecorder);
        const stopRetention = startRawEventRetention(container.get<RawEventIndex>(RawEventIndexToken), {
          now: () => container.get<Clock>(ClockToken).now(),
          retentionDays: config.JOURNEY_RAW_RETENTION_DAYS,
          onError: (error) => logger.warn({ err: error }, 'pruning the raw-event index failed; retrying in an hour'),
        });
        return async () => {
          await Promise.all([consumer.stop(), stopRetention()]);
          await recorder.flush();
        };
      });
    if (apps.includes('projector'))
      starts.push(async () => {
        const projector = container.get(Projector);
        projector.start();
        try {
          await projector.ready();
        } catch (error) {
          await projector.stop();
          throw error;
        }
        return () => projector.stop();
      });
    // in NATS mode the projector, the one follower of the whole log, also publishes it to
    // journey.events.<type>; one projector at a time (a role of its own): the stream drops a
    // second copy only within its duplicate window, so a replica left far behind must not publish
    const natsUrl = config.NATS_URL;
    if (apps.includes('projector') && natsUrl !== undefined)
      starts.push(async () => {
        const publishing = new LeasedRole(
          container.get<Leases>(LeasesToken),
          container.get<Clock>(ClockToken),
          async () => {
            const publisher = new NatsJourneyEventPublisher(
              container.get<EventStore>(EventStoreToken),
              () => connectNats(natsUrl, natsAuthOf(config)),
              {
                replicas: config.JOURNEY_RAW_REPLICAS,
                publishTimeoutMs: config.NATS_PUBLISH_TIMEOUT_MS,
                logger,
              },
            );
            publisher.start();
            return () => publisher.stop();
          },
          { role: 'event-publisher', holder: leaseHolder('projector'), ttlMs: config.JOURNEY_LEASE_TTL_MS, logger },
        );
        publishing.start();
        return () => publishing.stop();
      });
    const inWorker = (label: string, module: URL) => () => startInWorker(label, module, config, logger, heaps);
    if (apps.includes('alerter'))
      starts.push(inWorker('the alerter', new URL('../alerter/alerterWorker.ts', import.meta.url)));
    // no thread for an automator with nothing to do
    if (apps.includes('automator') && container.get<CompiledAutomations>(AutomationsToken).automations.length > 0)
      starts.push(inWorker('the automator', new URL('../automator/automatorWorker.ts', import.meta.url)));
    // in its own thread: rendering and uploading a report must not stall the collector
    if (apps.includes('reporter'))
      starts.push(inWorker('the reporter', new URL('../reporter/reporterWorker.ts', import.meta.url)));
    const started = await Promise.allSettled(starts.map((start) => start()));
    for (const result of started) if (result.status === 'fulfilled') stops.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    logger.info({ apps, dataDir: config.JOURNEY_DATA_DIR, url }, 'journey started');
    return { url, credentials, apps, container, ops, opsUrl: opsServer?.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** An app in its worker thread (apps/alerter/alerterWorker.ts, apps/reporter/reporterWorker.ts); resolves once it runs. */
const startInWorker = async (
  label: string,
  module: URL,
  config: JourneyConfig,
  logger: JourneyLogger,
  heaps: ThreadHeaps,
): Promise<() => Promise<void>> => {
  const worker = new SupervisedWorker({ label, module, workerData: { config }, logger, heaps });
  await worker.startReady();
  return () => worker.stop();
};
