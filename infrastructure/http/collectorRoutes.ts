import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import type { IngestEvents, IngestResult } from '../../application/ingest/ingestEvents.ts';
import { type RawEventType, rawEventTypes } from '../../domain/raw/rawEvent.ts';
import { withFields } from '../../domain/raw/withFields.ts';
import { collectorRateLimit } from './collectorRateLimit.ts';
import { corsOrigin } from './corsOrigin.ts';
import { decodedBody } from './decodedBody.ts';
import { HttpError } from './httpError.ts';
import { addJsonBodyParser } from './jsonBodyParser.ts';
import { registerSdkRoutes } from './sdkRoutes.ts';
import { secretMatcher } from './secretMatcher.ts';

/**
 * Segment's request limit, applied after decompression; per-event (32 KB) and per-batch
 * (2,500) limits live in IngestEvents.
 */
export const COLLECTOR_BODY_LIMIT = 500 * 1024;

export type CollectorDeps = {
  ingest: IngestEvents;
  /** write-key secret → source name */
  writeKeys: ReadonlyMap<string, string>;
  /** origins browsers may post from (`JOURNEY_CORS_ORIGINS`); default `['*']`, any origin */
  corsOrigins?: readonly string[];
  /** requests a minute per write key (`JOURNEY_RATE_LIMIT_PER_MINUTE`); unset or 0, no limit */
  ratePerMinute?: number;
  /** collector processes sharing `ratePerMinute` (`JOURNEY_COLLECTOR_REPLICAS`); each allows its share */
  replicas?: number;
};

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const unauthorized = () =>
  new HttpError(
    401,
    'unauthorized',
    'send your write key as the basic-auth user (curl -u KEY: ...) or as writeKey in the body',
  );

/** The user part of `Authorization: Basic base64(user:password)`; Segment's SDKs send the key there. */
const basicAuthUser = (header: string | undefined): string | undefined => {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
};

/**
 * A write key never travels further than this: it is dropped from every event before
 * validation, so neither the raw log nor a dead letter ever holds one.
 */
const withoutWriteKey = (event: unknown): unknown => {
  if (!isObject(event) || !('writeKey' in event)) return event;
  const { writeKey: _secret, ...rest } = event;
  return rest;
};

/** Segment semantics: batch-level `sentAt` and `context` fill in for events that lack their own. */
const withBatchDefaults = (event: unknown, body: JsonObject): unknown => {
  if (!isObject(event)) return event;
  const sentAt = event.sentAt === undefined && body.sentAt !== undefined ? { sentAt: body.sentAt } : {};
  const context =
    isObject(body.context) && (event.context === undefined || isObject(event.context))
      ? { context: withFields(body.context, event.context ?? {}) }
      : {};
  return withFields(event, withFields(sentAt, context));
};

const describeResult = (result: IngestResult, total: number, pathOf: (index: number, path: string) => string) => {
  const rejected = result.rejected.map((r) => ({
    index: r.index,
    ...(r.messageId === undefined ? {} : { messageId: r.messageId }),
    errors: r.errors.map((e) => ({ path: pathOf(r.index, e.path), message: e.message })),
  }));
  return { rejected, noneValid: rejected.length === total };
};

/**
 * The Segment HTTP Tracking API, so existing tracking SDKs post here unchanged: `/v1/batch`
 * (and its aliases `/v1/b`, `/v1/import`), one route per event type, and the one-letter paths
 * analytics.js uses (`/v1/t`, `/v1/i`, ...), bodies plain or gzip/deflate-compressed. A 200 is sent only after the raw log has stored
 * every valid event durably; invalid events are dead-lettered and listed in the answer.
 * Also serves the browser SDK (`/sdk.js`, `/sdk.mjs`).
 */
export const registerCollectorRoutes = (app: FastifyInstance, deps: CollectorDeps): void => {
  const sourceOfKey = secretMatcher(deps.writeKeys);
  const allowOrigin = corsOrigin(deps.corsOrigins);
  registerSdkRoutes(app, allowOrigin);

  const sourceOf = (request: FastifyRequest): string | undefined => {
    const body = request.body;
    return (
      sourceOfKey(basicAuthUser(request.headers.authorization)) ??
      (isObject(body) && typeof body.writeKey === 'string' ? sourceOfKey(body.writeKey) : undefined)
    );
  };

  const authenticate = (request: FastifyRequest): string => {
    const source = sourceOf(request);
    if (source === undefined) throw unauthorized();
    return source;
  };

  const bodyObject = (request: FastifyRequest, expected: string): JsonObject => {
    if (!isObject(request.body)) throw new HttpError(400, 'invalid_request', `the body must be ${expected}`);
    return request.body;
  };

  const batch = async (request: FastifyRequest, reply: FastifyReply) => {
    const source = authenticate(request);
    const body = bodyObject(request, 'a JSON object with a batch array: { "batch": [ { "type": "track", ... } ] }');
    if (!Array.isArray(body.batch) || body.batch.length === 0) {
      throw new HttpError(400, 'invalid_request', 'batch must be a non-empty array of events: { "batch": [ ... ] }');
    }
    const events = body.batch.map((event) => withBatchDefaults(withoutWriteKey(event), body));
    const result = await deps.ingest.execute({ events, source });
    const { rejected, noneValid } = describeResult(result, events.length, (index, path) =>
      path === '' || path.startsWith('[') ? `batch[${index}]${path}` : `batch[${index}].${path}`,
    );
    if (noneValid) {
      return reply.code(400).send({
        error: 'invalid_events',
        message: `none of the ${events.length} events is valid, so nothing was stored (they are kept as dead letters); fix them as rejected[].errors says and send them again`,
        rejected,
      });
    }
    const { accepted, duplicates } = result;
    if (rejected.length === 0) return reply.send({ success: true, accepted, duplicates });
    return reply.send({
      success: true,
      accepted,
      duplicates,
      message: `${rejected.length} of ${events.length} events were invalid and not stored (they are kept as dead letters); the others were stored. Fix the rejected ones and send only those again`,
      rejected,
    });
  };

  const single = (type: RawEventType) => async (request: FastifyRequest, reply: FastifyReply) => {
    const source = authenticate(request);
    const body = bodyObject(request, `one ${type} event as a JSON object`);
    // the path names the type, as in Segment; a `type` in the body does not override it
    const event = { ...(withoutWriteKey(body) as JsonObject), type };
    const result = await deps.ingest.execute({ events: [event], source });
    const { rejected, noneValid } = describeResult(result, 1, (_index, path) => (path === '' ? 'body' : path));
    if (noneValid) {
      const first = rejected[0]?.errors.map((e) => `${e.path} ${e.message}`).join('; ') ?? 'invalid';
      return reply.code(400).send({
        error: 'invalid_events',
        message: `the ${type} event is invalid and was not stored (${first}); fix it and send it again`,
        rejected,
      });
    }
    return reply.send({ success: true, accepted: result.accepted, duplicates: result.duplicates });
  };

  const options = {
    bodyLimit: COLLECTOR_BODY_LIMIT,
    // browser SDKs post cross-origin; by default the write key, not the origin, is what authorizes
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      const origin = allowOrigin(request.headers.origin);
      if (origin !== undefined) reply.header('access-control-allow-origin', origin);
      if (origin !== '*') reply.header('vary', 'Origin');
    },
    preParsing: async (request: FastifyRequest, _reply: FastifyReply, payload: RequestPayload) =>
      decodedBody(request.headers['content-encoding'], payload, request.routeOptions.bodyLimit),
  };
  // in their own scope, so the rate limit covers the event routes and nothing else
  app.register(async (scope) => {
    // curl -d and axios with a Buffer (RudderStack's Node SDK) label JSON as a form
    addJsonBodyParser(scope, ['application/x-www-form-urlencoded']);
    if (deps.ratePerMinute)
      await scope.register(rateLimit, collectorRateLimit(deps.ratePerMinute, sourceOf, deps.replicas));
    for (const path of ['/v1/batch', '/v1/b', '/v1/import']) scope.post(path, options, batch);
    for (const type of rawEventTypes) {
      scope.post(`/v1/${type}`, options, single(type));
      scope.post(`/v1/${type.charAt(0)}`, options, single(type));
    }
  });
  app.options('/v1/*', async (request, reply) => {
    const origin = allowOrigin(request.headers.origin);
    // an origin not configured gets no allow-* headers, so the browser never sends the post
    if (origin === undefined) return reply.code(204).header('vary', 'Origin').send();
    if (origin !== '*') reply.header('vary', 'Origin');
    return (
      reply
        .code(204)
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', 'POST')
        // analytics.js sends X-Retry-Count on retries; refused here, the browser would drop them
        .header('access-control-allow-headers', 'authorization, content-type, x-retry-count')
        .header('access-control-max-age', '86400')
        .send()
    );
  });
};
