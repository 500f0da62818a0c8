import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from './errorHandler.ts';
import { addJsonBodyParser } from './jsonBodyParser.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export type HttpServerOptions = {
  logger: Logger | false;
  /** bytes; routes may set their own (the collector does) */
  bodyLimit?: number;
  /** a request must have fully arrived by then (slow clients get 408 and a closed socket) */
  requestTimeoutMs?: number;
  /** a socket silent for this long is closed */
  idleTimeoutMs?: number;
};

/** Node checks request deadlines on an interval (30 s by default); tighter, so a slow client is cut near its deadline. */
const checkingIntervalOf = (requestTimeoutMs: number): number => Math.max(50, Math.min(1_000, requestTimeoutMs / 4));

/** Values of query parameters that look like credentials never reach the logs. */
const SECRET_QUERY = /([?&](?:write_?key|api_?key|access_?token|token|key|password)=)[^&#]*/gi;

/** Only what helps to trace a request: no headers, so no Authorization, cookie or key. */
const requestSerializer = (request: FastifyRequest) => ({
  method: request.method,
  url: request.url.replace(SECRET_QUERY, '$1[redacted]'),
  remoteAddress: request.ip,
});

/** In case a handler logs more than the serializer shows, secrets are still censored. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'writeKey',
  '*.writeKey',
  'body.writeKey',
  'req.body.writeKey',
  'apiToken',
  '*.apiToken',
];

/**
 * A fastify server with Journey's conventions: JSON bodies as application/json or text/plain (all
 * navigator.sendBeacon can send), one JSON error shape for every failure, request logs without
 * secrets. The caller adds routes, listens and closes.
 */
export const createHttpServer = (options: HttpServerOptions): FastifyInstance => {
  const loggerInstance: FastifyBaseLogger | undefined =
    options.logger === false
      ? undefined
      : options.logger.child(
          {},
          { serializers: { req: requestSerializer }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
        );
  const { requestTimeoutMs, idleTimeoutMs } = options;
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(idleTimeoutMs === undefined ? {} : { connectionTimeout: idleTimeoutMs }),
    ...(requestTimeoutMs === undefined
      ? {}
      : {
          requestTimeout: requestTimeoutMs,
          http: {
            headersTimeout: Math.min(requestTimeoutMs, 60_000),
            connectionsCheckingInterval: checkingIntervalOf(requestTimeoutMs),
          },
        }),
    ...(loggerInstance === undefined ? {} : { loggerInstance }),
  });
  addJsonBodyParser(app, ['application/json', 'text/plain']);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // every process, collector-only included, answers the load balancer's health check
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
};
