import { ConfigError } from '../../domain/errors/journeyError.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { createHttpServer } from '../../infrastructure/http/createHttpServer.ts';
import { registerOpsRoutes } from '../../infrastructure/http/opsRoutes.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import type { JourneyOps } from './journeyOps.ts';

const opsPortMessage = (config: JourneyConfig, code: string): string =>
  `cannot listen on ${config.HOST}:${config.JOURNEY_OPS_PORT} for the operations endpoints (${code}); give each process its own JOURNEY_OPS_PORT, or unset it`;

/**
 * A small HTTP server with only /healthz, /readyz and /metrics on JOURNEY_OPS_PORT: the only
 * ones a mapper, projector or alerter on its own has, and a second, private port for the
 * collector and the API. Opt-in: several processes often share a host, each needs its own port.
 */
export const startOpsServer = async (
  config: JourneyConfig,
  ops: JourneyOps,
  logger: JourneyLogger,
): Promise<{ url: string; close: () => Promise<void> } | undefined> => {
  if (config.JOURNEY_OPS_PORT === undefined) {
    logger.info({}, 'no HTTP server in this process: set JOURNEY_OPS_PORT to serve /metrics, /readyz and /healthz');
    return undefined;
  }
  const app = createHttpServer({ logger: false });
  registerOpsRoutes(app, ops);
  try {
    const url = await app.listen({ port: config.JOURNEY_OPS_PORT, host: config.HOST });
    logger.info({ url }, 'operations endpoints: /metrics, /readyz, /healthz');
    return { url, close: () => app.close() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL'
      ? new ConfigError(opsPortMessage(config, code))
      : error;
  }
};
