import type { FastifyReply, FastifyRequest } from 'fastify';
import { isNotFoundError, isUnavailableError, isValidationError } from '../../domain/errors/journeyError.ts';
import { isHttpError } from './httpError.ts';

/** How long a client should wait before retrying when a backing store is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

type Answer = {
  status: number;
  body: { error: string; message: string } & Record<string, unknown>;
  headers?: Readonly<Record<string, string>>;
};

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;

const statusOf = (error: unknown): number | undefined => {
  const status =
    typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
};

const answerFor = (error: unknown, request: FastifyRequest): Answer => {
  if (isHttpError(error)) {
    return { status: error.statusCode, body: { error: error.error, message: error.message }, headers: error.headers };
  }
  if (isValidationError(error)) {
    return { status: 400, body: { error: 'invalid_request', message: error.message, issues: error.issues } };
  }
  if (isNotFoundError(error)) return { status: 404, body: { error: 'not_found', message: error.message } };
  if (isUnavailableError(error) && error.retryAfterSeconds !== undefined) {
    const seconds = String(error.retryAfterSeconds);
    return { status: 503, body: { error: 'unavailable', message: error.message }, headers: { 'retry-after': seconds } };
  }
  if (isUnavailableError(error)) {
    return {
      status: 503,
      body: {
        error: 'unavailable',
        message:
          request.method === 'POST'
            ? `storage is unavailable right now and nothing was acknowledged; retry the same request in ${RETRY_AFTER_SECONDS} seconds (events are deduplicated by messageId, so retrying is safe)`
            : `storage is unavailable right now; retry in ${RETRY_AFTER_SECONDS} seconds`,
      },
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    };
  }
  switch (codeOf(error)) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const kb = Math.floor(request.routeOptions.bodyLimit / 1024);
      return {
        status: 413,
        body: {
          error: 'payload_too_large',
          message: `the request body is over the ${kb} KB limit; split the batch into smaller requests`,
        },
      };
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: 'invalid_json', message: 'the body is empty; send a JSON object' } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        status: 400,
        body: { error: 'invalid_json', message: 'the body is not valid JSON; send one JSON object' },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: {
          error: 'unsupported_media_type',
          message: `content type ${request.headers['content-type'] ?? '(none)'} is not accepted; send JSON as application/json or text/plain`,
        },
      };
  }
  const status = statusOf(error);
  if (status !== undefined && status < 500) {
    return { status, body: { error: 'bad_request', message: (error as Error).message } };
  }
  return {
    status: 500,
    body: {
      error: 'internal',
      message: `unexpected error, logged with request id ${request.id}; retry later, and report the id if it persists`,
    },
  };
};

/**
 * The one error handler of the HTTP server (collector and API alike): domain errors map by
 * their guards, fastify's own errors by code, so every failure is JSON with a `message` that
 * says what to do. Only server-side failures are logged as errors; a client's 4xx is its news.
 */
export const errorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  const { status, body, headers } = answerFor(error, request);
  if (status >= 500) request.log[status === 503 ? 'warn' : 'error']({ err: error }, 'request failed');
  else request.log.info({ status, error: body.error }, 'request refused');
  return reply
    .code(status)
    .headers(headers ?? {})
    .send(body);
};

export const notFoundHandler = (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
  reply.code(404).send({
    error: 'not_found',
    message: `there is no ${request.method} ${request.url.split('?')[0]}; the collector takes POST /v1/batch, /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias and the API GET /api/...`,
  });
