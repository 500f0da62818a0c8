import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './httpError.ts';

/**
 * @fastify/rate-limit options: `perMinute` requests per write key, counted by the key's source name
 * (never the secret), else per client IP. Checked at preHandler, after parsing, because sendBeacon
 * clients send their key in the body; over the limit: 429 with Retry-After.
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
