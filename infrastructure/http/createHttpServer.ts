import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from './errorHandler.ts';
import { HttpError } from './httpError.ts';

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
  installJsonParser(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // every process, collector-only included, answers the load balancer's health check
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
};

const JSON_TYPES = ['application/json', 'text/plain'];

/**
 * Fastify's own JSON parser (it refuses `__proto__` and `constructor.prototype` keys) for both
 * content types, with the parse error's detail in the answer, so a client sees where its JSON
 * broke instead of a bare "invalid".
 */
const installJsonParser = (app: FastifyInstance): void => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(JSON_TYPES);
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (request, raw, done) => {
    const body = typeof raw === 'string' ? raw : raw.toString('utf8');
    void parseJson(request, body, (error, value) => {
      if (error === null) return done(null, value);
      if ((error as { code?: unknown }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return done(error);
      done(
        new HttpError(400, 'invalid_json', `the body is not valid JSON (${syntaxDetail(body)}); send one JSON object`),
      );
    });
  });
};

const syntaxDetail = (body: string): string => {
  try {
    JSON.parse(body);
    return 'it has a __proto__ or constructor.prototype key, which is refused';
  } catch (error) {
    return (error as Error).message;
  }
};
