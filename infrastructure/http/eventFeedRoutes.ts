import fastifySse from '@fastify/sse';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { positionOfFeedId } from '../../application/feed/feedPosition.ts';
import { feedEventOf, followJourneyEvents } from '../../application/feed/journeyEventFeed.ts';
import type { EventStore } from '../../application/ports/eventStore/eventStore.ts';
import { ValidationError } from '../../domain/errors/journeyError.ts';
import type { JourneyEventType } from '../../domain/journey/journeyEvent.ts';
import { eventStreamHeaders, eventStreamQuery, typesOf } from './eventFeedSchemas.ts';
import { validateRequest } from './validateRequest.ts';

export type EventFeedDeps = {
  readonly store: Pick<EventStore, 'subscribeAll'>;
  /** a comment line this often, so proxies and JOURNEY_IDLE_TIMEOUT_MS keep a quiet feed open; default 15 s */
  readonly heartbeatMs?: number;
  /** events read from the store at a time, per client; default 100 */
  readonly batchSize?: number;
};

/** a client that stops reading gets this long after shutdown starts to take its last bytes */
const SHUTDOWN_GRACE_MS = 1_000;

/** the header, checked with the schema the OpenAPI document shows; named as clients write it */
const lastEventIdOf = (header: string | string[] | undefined): string | undefined => {
  const value = [header].flat()[0] || undefined;
  const parsed = eventStreamHeaders.shape['Last-Event-ID'].safeParse(value);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'is malformed';
  throw new ValidationError(`header Last-Event-ID ${message}`, [{ path: 'Last-Event-ID', message }]);
};

type OpenFeed = { readonly stop: AbortController; readonly reply: FastifyReply };

const ended = (reply: FastifyReply): Promise<void> =>
  reply.raw.writableFinished || reply.raw.destroyed
    ? Promise.resolve()
    : new Promise((resolve) => {
        reply.raw.once('close', resolve);
        reply.raw.once('finish', resolve);
      });

/**
 * GET /api/events/stream: the journey events as Server-Sent Events, read from the event store
 * by global position and then followed live. Registered inside the token-guarded /api plugin.
 */
export const registerEventFeedRoutes = (api: FastifyInstance, deps: EventFeedDeps): void => {
  api.register(async (feed) => {
    await feed.register(fastifySse, { heartbeatInterval: deps.heartbeatMs ?? 15_000 });
    const open = new Set<OpenFeed>();

    // An open feed never ends by itself, and server.close() waits for every response: end them
    // (clients reconnect elsewhere with Last-Event-ID), cutting a client that does not read.
    feed.addHook('preClose', async () => {
      const feeds = [...open];
      for (const f of feeds) f.stop.abort();
      await Promise.all(
        feeds.map(async ({ reply }) => {
          const timer = setTimeout(() => reply.raw.destroy(), SHUTDOWN_GRACE_MS);
          await ended(reply);
          clearTimeout(timer);
        }),
      );
    });

    feed.get('/events/stream', { sse: 'only' }, async (request, reply) => {
      const query = validateRequest(eventStreamQuery, request.query, 'query');
      // EventSource sends an empty Last-Event-ID until it has seen an id
      const resumeAt = lastEventIdOf(request.headers['last-event-id']) ?? query.after;
      const types = new Set(typesOf(query.type) as JourneyEventType[]);

      const stop = new AbortController();
      const self: OpenFeed = { stop, reply };
      open.add(self);
      reply.sse.onClose(() => stop.abort());
      // a write to a socket that closed mid-backpressure never settles: the close ends the wait
      const closed = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
      reply.sse.sendHeaders();
      // the first bytes, so clients (EventSource.onopen) and proxies see the stream start now
      reply.raw.write(': journey events\n\n');
      try {
        const events = followJourneyEvents(deps.store, {
          ...(resumeAt === undefined ? {} : { after: positionOfFeedId(resumeAt) }),
          filter: { types, ...(query.userId === undefined ? {} : { userId: query.userId }) },
          batchSize: deps.batchSize ?? 100,
          signal: stop.signal,
        });
        for await (const batch of events) {
          for (const event of batch) {
            if (stop.signal.aborted) break;
            const message = feedEventOf(event);
            // one message at a time, each waiting for the socket to drain: a slow client paces the reads
            await Promise.race([reply.sse.send({ id: message.position, event: message.type, data: message }), closed]);
          }
        }
      } catch (error) {
        if (!stop.signal.aborted)
          request.log.warn({ err: error }, 'event feed ended by a failure; the client resumes with Last-Event-ID');
      } finally {
        open.delete(self);
        stop.abort();
      }
    });
  });
};
