import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './httpError.ts';

/**
 * Options for @fastify/rate-limit on the collector: `perMinute` requests a minute per write
 * key, counted by the key's source name (never the secret); a request without a known key
 * counts against its client IP. The check runs at preHandler, after the body is parsed,
 * because sendBeacon clients can only send their key in the body. Over the limit: 429 with
 * Retry-After (seconds) and a message that says how long to wait.
 */
export const collectorRateLimit = (
  perMinute: number,
  sourceOf: (request: FastifyRequest) => string | undefined,
): RateLimitPluginOptions => ({
  global: true,
  hook: 'preHandler',
  max: perMinute,
  timeWindow: 60_000,
  keyGenerator: (request) => {
    const source = sourceOf(request);
    return source === undefined ? `ip:${request.ip}` : `source:${source}`;
  },
  addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
  errorResponseBuilder: (_request, context) =>
    new HttpError(
      429,
      'rate_limited',
      `more than ${context.max} requests a minute with this write key; wait ${context.after} (Retry-After says how many seconds) and send the same request again, events are deduplicated by messageId`,
    ),
});
