import { Server, ServerCredentials, type ServerWritableStream, status } from '@grpc/grpc-js';
import {
  type ReadReq,
  type ReadResp,
  serverFeaturesGrpc,
  serverFeaturesPb,
  streamsGrpc,
} from '../../../infrastructure/eventstoredb/esdbGenerated.ts';
import { appendHandler } from './appendHandler.ts';
import { batchAppendHandler } from './batchAppendHandler.ts';
import { EmulatorStore } from './emulatorStore.ts';
import { readHandler } from './readHandler.ts';

/** advertised to the client, as a real server lists them (lower-case method names) */
const SUPPORTED: readonly (readonly [service: string, method: string])[] = [
  ['event_store.client.streams.Streams', 'read'],
  ['event_store.client.streams.Streams', 'append'],
  ['event_store.client.server_features.ServerFeatures', 'getsupportedmethods'],
];
/** the client appends through BatchAppend exactly when the server lists it */
const BATCH_APPEND = ['event_store.client.streams.Streams', 'batchappend'] as const;

export type EsdbEmulatorOptions = {
  /** answer every Streams call with UNAUTHENTICATED (see `start`) */
  readonly denyAccess?: boolean;
  /**
   * serve and advertise Streams.BatchAppend (default true, as ESDB 21.10+ does); with false it
   * is neither listed nor served, like an older server, and the client appends through Append
   */
  readonly batchAppend?: boolean;
};

const unimplemented = (what: string) => (_call: unknown, callback?: (error: unknown) => void) => {
  const error = { code: status.UNIMPLEMENTED, details: `the EventStoreDB emulator does not implement ${what}` };
  if (typeof callback === 'function') callback(error);
};

const denied = (call: { emit(event: 'error', error: unknown): void }, callback?: (error: unknown) => void) => {
  const error = { code: status.UNAUTHENTICATED, details: 'Access denied' };
  if (typeof callback === 'function') callback(error);
  else call.emit('error', error);
};

/**
 * An in-memory EventStoreDB for tests (test support, not production): a gRPC server built
 * on the service definitions and message classes generated into @eventstore/db-client, so
 * the real client runs end to end against it — connection string, channel, protobuf, errors.
 *
 * Implemented: ServerFeatures.GetSupportedMethods; Streams.Append (options, then proposed
 * messages; success with revision and position, or wrong_expected_version; ESDB-style
 * idempotency on event ids); Streams.BatchAppend (the same appends by correlation id on one
 * bidirectional call: options in an append's first request, events in any, one reply per
 * `is_final` with success or a google.rpc.Status packing WrongExpectedVersion or Timeout;
 * advertised unless started with `batchAppend: false`; the client appends through it whenever
 * it is advertised and the call carries no credentials of its own); Streams.Read on a stream
 * (forwards/backwards, from a revision, count, stream_not_found) and on `$all` (from start/end/a position, forwards/backwards, count,
 * filter by stream-name or event-type prefix or regex; subscriptions: confirmation, catch-up
 * after the position, caught_up, live events). A fresh emulator holds two system events
 * (`$settings`, `$$$scavenges`), as a fresh server holds some, so adapters must filter them.
 *
 * Known differences from a real EventStoreDB (24.x):
 * - BatchAppend: no maximum append size (never MaximumAppendSizeExceeded); the deadline is
 *   checked once, when `is_final` arrives, not by a timer; a malformed request (no correlation
 *   id or options, an event without a UUID, type or content type) fails the whole call, with
 *   every append pending on it; the Status of an error carries no gRPC code (as ESDB's
 *   Status.WrongExpectedVersion appears to), only a message and the packed detail.
 * - Positions are synthetic (commit = prepare, sparse by event size), not byte offsets of a
 *   transaction log; reading `$all` from a position that is not an event's starts at the next
 *   event, where ESDB may refuse it. Backwards from a position yields the events before it
 *   (not checked against a server; the adapter reads backwards only from the end).
 * - Filtered reads of `$all` honour `count` as "matching events"; the search window (`max`)
 *   and checkpoint interval are ignored.
 * - No TLS, users, ACLs or authentication: credentials are ignored (insecure mode).
 * - Idempotency checks the whole stream; ESDB checks `any` appends against a cache of recent
 *   writes, and reports a partly-repeated append as a wrong expected version.
 * - Subscriptions send no checkpoints and never fall behind (no fell_behind); stream
 *   subscriptions, Delete, Tombstone, persistent subscriptions, projections, gossip and
 *   stream metadata ($maxAge, $tb…) are not implemented (UNIMPLEMENTED).
 * - Nothing is persisted; stopping the emulator loses every event.
 */
export class EsdbEmulator {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly store: EmulatorStore,
    private readonly subscriptions: Set<ServerWritableStream<ReadReq, ReadResp>>,
    /** how many Append and BatchAppend calls the emulator has served (which path the client took) */
    readonly calls: { append: number; batchAppend: number },
  ) {}

  /**
   * Starts on 127.0.0.1, port 0 (any free one), without TLS. `denyAccess` answers every
   * Streams call with UNAUTHENTICATED, as a secure server does to wrong credentials (the
   * client sends none over an insecure channel, so they cannot be checked for real here).
   */
  static async start(options: EsdbEmulatorOptions = {}): Promise<EsdbEmulator> {
    const withBatchAppend = options.batchAppend ?? true;
    const store = new EmulatorStore();
    store.seedSystemEvents();
    const subscriptions = new Set<ServerWritableStream<ReadReq, ReadResp>>();
    const server = new Server();
    const calls = { append: 0, batchAppend: 0 };
    const counted =
      <A extends unknown[]>(name: keyof typeof calls, handler: (...args: A) => void) =>
      (...args: A) => {
        calls[name] += 1;
        handler(...args);
      };
    const read = readHandler(store, subscriptions);
    const append = counted('append', appendHandler(store));
    const batchAppend = withBatchAppend
      ? counted('batchAppend', batchAppendHandler(store))
      : (call: { emit(event: 'error', error: unknown): void }) =>
          call.emit('error', { code: status.UNIMPLEMENTED, details: 'BatchAppend is not advertised' });
    server.addService(streamsGrpc.StreamsService, {
      read: options.denyAccess ? denied : read,
      append: options.denyAccess ? denied : append,
      delete: unimplemented('Delete'),
      tombstone: unimplemented('Tombstone'),
      batchAppend: options.denyAccess ? denied : batchAppend,
    });
    server.addService(serverFeaturesGrpc.ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: (error: null, reply: unknown) => void) => {
        const supported = withBatchAppend ? [...SUPPORTED, BATCH_APPEND] : SUPPORTED;
        const methods = supported.map(([service, method]) =>
          new serverFeaturesPb.SupportedMethod().setServiceName(service).setMethodName(method),
        );
        callback(
          null,
          new serverFeaturesPb.SupportedMethods()
            .setMethodsList(methods)
            .setEventStoreServerVersion('24.10.0-emulator'),
        );
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    return new EsdbEmulator(server, port, store, subscriptions, calls);
  }

  /** what the adapter's EVENTSTORE_CONNECTION_STRING would be */
  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** ends every open subscription with UNAVAILABLE, as a server restart or a dropped link would */
  dropSubscriptions(): void {
    for (const call of this.subscriptions) {
      call.emit('error', { code: status.UNAVAILABLE, details: 'the emulator dropped the subscription' });
    }
    this.subscriptions.clear();
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
  }
}
