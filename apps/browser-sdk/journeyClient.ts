import { BrowserSession } from './browserSession.ts';
import { Dispatcher, type Scheduler } from './dispatcher.ts';
import { EventQueue, type WireEvent } from './eventQueue.ts';
import { IdentityStore, type Traits } from './identity.ts';
import type { KeyValueStorage } from './storage.ts';
import type { Transport } from './transport.ts';

export const SDK_VERSION = '0.1.0';

export type Properties = Record<string, unknown>;

export type ClientOptions = {
  readonly writeKey: string;
  readonly flushAt?: number;
  readonly flushIntervalMs?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** events kept while the collector is unreachable; the oldest go first */
  readonly maxQueuedEvents?: number;
  /** inactivity that ends a session: keep it equal to the server's JOURNEY_SESSION_TIMEOUT_MINUTES (default 30) */
  readonly sessionTimeoutMinutes?: number;
};

/** Everything that touches the outside world, handed in so the client runs in a unit test. */
export type ClientEnvironment = {
  readonly storage: KeyValueStorage;
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly newId: () => string;
  /** Segment's `context`: page, userAgent, locale, screen — whatever the environment knows */
  readonly context: () => Record<string, unknown>;
};

/**
 * The Segment-style calls, turned into wire events with a messageId and a client timestamp
 * (the collector corrects it by the request's sentAt), queued and batched by the Dispatcher.
 */
export class JourneyClient {
  readonly identity: IdentityStore;
  readonly session: BrowserSession;
  readonly dispatcher: Dispatcher;

  constructor(
    options: ClientOptions,
    private readonly env: ClientEnvironment,
  ) {
    this.identity = new IdentityStore(env.storage, env.newId);
    this.session = new BrowserSession(env.storage, env.newId, (options.sessionTimeoutMinutes ?? 30) * 60_000);
    const queue = new EventQueue(env.storage, 'journey.queue', options.maxQueuedEvents ?? 1000);
    this.dispatcher = new Dispatcher(queue, env.transport, env.scheduler, {
      writeKey: options.writeKey,
      flushAt: options.flushAt ?? 20,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      retryBaseMs: options.retryBaseMs ?? 1000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
    });
    this.dispatcher.resume();
  }

  identify(userId: string, traits: Traits = {}): void {
    const identity = this.identity.identify(String(userId), traits);
    this.send({ type: 'identify', traits: identity.traits });
  }

  track(event: string, properties: Properties = {}): void {
    this.send({ type: 'track', event, properties });
  }

  page(name?: string, properties: Properties = {}): void {
    const page = (this.env.context().page ?? {}) as Properties;
    this.send({ type: 'page', ...(name === undefined ? {} : { name }), properties: { ...page, ...properties } });
  }

  reset(): void {
    this.identity.reset();
    this.session.reset();
  }

  flush(): Promise<void> {
    return this.dispatcher.flush();
  }

  private send(fields: { type: string } & Record<string, unknown>): void {
    const { anonymousId, userId } = this.identity.current();
    const now = this.env.scheduler.now();
    const event: WireEvent = {
      ...fields,
      messageId: this.env.newId(),
      anonymousId,
      ...(userId === undefined ? {} : { userId }),
      timestamp: new Date(now).toISOString(),
      context: {
        library: { name: 'journey-browser', version: SDK_VERSION },
        ...this.env.context(),
        sessionId: this.session.idAt(now),
      },
    };
    this.dispatcher.enqueue(event);
  }
}
