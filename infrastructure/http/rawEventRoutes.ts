import fastifySse from '@fastify/sse';
import type { FastifyInstance } from 'fastify';
import type { RawEventQueries } from '../../application/explorer/rawEventQueries.ts';
import type { RawEventFilter } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import { rawEventFilterQuery, rawEventsQuery } from './rawEventSchemas.ts';
import { validateRequest } from './validateRequest.ts';

export type RawEventRoutesDeps = {
  readonly queries: RawEventQueries;
  readonly pollMs?: number;
  /** a comment line this often keeps idle-socket timeouts and proxies from closing a quiet stream */
  readonly heartbeatMs?: number;
};

const filterOf = (query: Partial<Record<keyof RawEventFilter, string>>): RawEventFilter =>
  Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as RawEventFilter;

/**
 * The explorer's routes, registered inside the token-guarded /api plugin (see registerApiRoutes):
 * a page of raw events, and the same filters live as Server-Sent Events.
 */
export const registerRawEventRoutes = (api: FastifyInstance, deps: RawEventRoutesDeps): void => {
  api.register(async (scope) => {
    // once per context: a parent that registered it (none does today) already decorates replies
    if (!scope.hasReplyDecorator('sse'))
      await scope.register(fastifySse, { heartbeatInterval: deps.heartbeatMs ?? 15_000 });
    const following = new Map<AbortController, () => void>();
    // An open stream would keep close() waiting for its socket, and a client that stopped reading
    // never finishes the socket's close: end each stream, then cut its socket.
    scope.addHook('preClose', async () => {
      for (const [controller, cut] of following) {
        controller.abort();
        setImmediate(cut);
      }
    });

    scope.get('/raw-events', async (request) => {
      const { before, limit, ...filter } = validateRequest(rawEventsQuery, request.query, 'query');
      return deps.queries.list(filterOf(filter), { limit, ...(before === undefined ? {} : { before }) });
    });

    scope.get('/raw-events/stream', { sse: 'only' }, async (request, reply) => {
      const filter = filterOf(validateRequest(rawEventFilterQuery, request.query, 'query'));
      const lastId = reply.sse.lastEventId;
      const afterVersion =
        lastId !== null && /^\d{1,15}$/.test(lastId) ? Number(lastId) : await deps.queries.currentVersion();
      const controller = new AbortController();
      following.set(controller, () => request.raw.socket.destroy());
      reply.sse.onClose(() => controller.abort());
      try {
        // headers now, not with the first event: a client learns at once that it is connected
        reply.sse.sendHeaders();
        reply.raw.flushHeaders();
        for await (const change of deps.queries.follow(filter, {
          signal: controller.signal,
          afterVersion,
          ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
        })) {
          if (!reply.sse.isConnected) break;
          await reply.sse.send({ id: String(change.version), event: 'raw-event', data: change });
        }
      } finally {
        following.delete(controller);
      }
    });
  });
};
