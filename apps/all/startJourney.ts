import { mkdirSync } from 'node:fs';
import { AlertDispatcher } from '../../application/alertDispatcher.ts';
import { type AlertStore, AlertStoreToken } from '../../application/alertStore.ts';
import { type Clock, ClockToken } from '../../application/clock.ts';
import { EventStoreToken } from '../../application/eventStore.ts';
import { IngestEvents } from '../../application/ingestEvents.ts';
import { JourneyQueries } from '../../application/journeyQueries.ts';
import { LoggerToken } from '../../application/logger.ts';
import { MapRawEvents } from '../../application/mapRawEvents.ts';
import { raiseSlowDeployments } from '../../application/raiseSlowDeployments.ts';
import { type RawLog, RawLogToken } from '../../application/rawLog.ts';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import { alertRulesOf } from '../../infrastructure/config/alertsConfig.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { Credentials } from '../../infrastructure/config/credentials.ts';
import { registerApiRoutes } from '../../infrastructure/http/apiRoutes.ts';
import { registerCollectorRoutes } from '../../infrastructure/http/collectorRoutes.ts';
import { createHttpServer } from '../../infrastructure/http/createHttpServer.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { Projector } from '../projector/projector.ts';
import { whenReady } from './adapters.ts';
import { CredentialsToken, createContainer, RulesToken, slackNotifierOf } from './container.ts';

const ensureDataDir = (dir: string): void => {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ConfigError(
      `JOURNEY_DATA_DIR=${dir} cannot be created (${(error as NodeJS.ErrnoException).code}); point it at a writable directory`,
    );
  }
};

export const appNames = ['collector', 'mapper', 'projector', 'api', 'alerter'] as const;

/** how often the slow-deployment timer looks for deployments past their threshold */
const SLOW_DEPLOYMENT_TICK_MS = 5_000;
export type AppName = (typeof appNames)[number];

export type RunningJourney = {
  /** where the HTTP server listens, when the collector or the API runs here */
  readonly url: string | undefined;
  readonly credentials: Credentials;
  readonly apps: readonly AppName[];
  readonly container: ReturnType<typeof createContainer>;
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
  const logger = container.get<JourneyLogger>(LoggerToken);
  const credentials = container.get<Credentials>(CredentialsToken);
  if (apps.includes('mapper')) container.get(RulesToken); // a bad rules file stops start-up here
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops) await s();
    await container.unbindAllAsync();
  };
  try {
    // connect to what these apps use first, so an unreachable server fails start-up with its URL
    if (apps.includes('collector') || apps.includes('mapper')) await whenReady(container.get(RawLogToken));
    if (apps.includes('mapper') || apps.includes('projector')) await whenReady(container.get(EventStoreToken));
    let url: string | undefined;
    if (apps.includes('collector') || apps.includes('api')) {
      const app = createHttpServer({
        logger,
        requestTimeoutMs: config.JOURNEY_REQUEST_TIMEOUT_MS,
        idleTimeoutMs: config.JOURNEY_IDLE_TIMEOUT_MS,
      });
      if (apps.includes('collector')) {
        registerCollectorRoutes(app, {
          ingest: container.get(IngestEvents),
          writeKeys: credentials.writeKeys,
          corsOrigins: config.JOURNEY_CORS_ORIGINS,
          ratePerMinute: config.JOURNEY_RATE_LIMIT_PER_MINUTE,
        });
      }
      if (apps.includes('api')) {
        registerApiRoutes(app, {
          queries: container.get(JourneyQueries),
          apiToken: credentials.apiToken,
          clock: container.get<Clock>(ClockToken),
          alerts: container.get<AlertStore>(AlertStoreToken),
        });
      }
      try {
        url = await app.listen({ port: config.PORT, host: config.HOST });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL'
          ? new ConfigError(
              `cannot listen on ${config.HOST}:${config.PORT} (${code}); stop what uses it or set PORT/HOST`,
            )
          : error;
      }
      stops.push(() => app.close());
    }
    if (apps.includes('mapper')) {
      const mapper = container.get(MapRawEvents);
      const consumer = container.get<RawLog>(RawLogToken).consume({ group: 'mapper' }, mapper.handle);
      stops.push(() => consumer.stop());
    }
    if (apps.includes('projector')) {
      const projector = container.get(Projector);
      projector.start();
      stops.push(() => projector.stop());
    }
    if (apps.includes('alerter')) stops.push(await startAlerter(config, container, logger));
    logger.info({ apps, dataDir: config.JOURNEY_DATA_DIR, url }, 'journey started');
    return { url, credentials, apps, container, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** The alerter: the outbox drained to Slack, and the slow-deployment timer. Returns its stop. */
const startAlerter = async (
  config: JourneyConfig,
  container: ReturnType<typeof createContainer>,
  logger: JourneyLogger,
): Promise<() => Promise<void>> => {
  if (config.SLACK_BOT_TOKEN === undefined) {
    logger.warn(
      {},
      'Slack is not configured (SLACK_BOT_TOKEN unset): alerts are logged and marked "logged", not posted',
    );
  } else {
    const identity = await slackNotifierOf(config, config.SLACK_BOT_TOKEN).identity();
    if (identity.ok) logger.info({ channel: config.SLACK_ALERT_CHANNEL }, `alerts post to Slack as ${identity.who}`);
    else logger.error({}, `Slack alerts may fail: ${identity.reason}`);
  }
  const store = container.get<AlertStore>(AlertStoreToken);
  const clock = container.get<Clock>(ClockToken);
  const rules = alertRulesOf(config);
  const dispatcher = container.get(AlertDispatcher);
  dispatcher.start();
  const tick = async () => {
    try {
      await raiseSlowDeployments(store, rules, clock.now());
    } catch (error) {
      logger.error({ err: error }, 'the slow-deployment timer failed; it runs again shortly');
    }
  };
  const timer = setInterval(() => void tick(), SLOW_DEPLOYMENT_TICK_MS);
  void tick();
  return async () => {
    clearInterval(timer);
    await dispatcher.stop();
  };
};
