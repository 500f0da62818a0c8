import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import { HttpError } from './httpError.ts';

/**
 * @fastify/rate-limit options: `perMinute` requests per write key, counted by the key's source name
 * (never the secret), else per client IP. Checked at preHandler, after parsing, because sendBeacon
 * clients send their key in the body; over the limit: 429 with Retry-After.
 *
 * With `replicas` collectors behind one entry point each counts on its own and allows its share
 * (rounded down), so together they never allow more than `perMinute`. A per-replica budget, not a
 * shared counter: nothing on the request's path waits for another process, and a round-robin entry
 * point (the compose file's nginx) spreads each source's requests evenly. Behind sticky balancing
 * a source gets one share only (docs/operations/distributed.md).
 */
export const collectorRateLimit = (
  perMinute: number,
  sourceOf: (request: FastifyRequest) => string | undefined,
  replicas = 1,
): RateLimitPluginOptions => {
  const share = Math.floor(perMinute / replicas);
  if (share < 1)
    throw new ConfigError(
      `JOURNEY_RATE_LIMIT_PER_MINUTE=${perMinute} shared by JOURNEY_COLLECTOR_REPLICAS=${replicas} collectors leaves each less than one request a minute; raise the limit to at least ${replicas}, or set it to 0 for none`,
    );
  const shared = replicas > 1 ? ` (${share} on each of ${replicas} collectors)` : '';
  return {
    global: true,
    hook: 'preHandler',
    max: share,
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
        `more than ${perMinute} requests a minute with this write key${shared}; wait ${context.after} (Retry-After says how many seconds) and send the same request again, events are deduplicated by messageId`,
      ),
  };
};
