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
 * An in-memory EventStoreDB for tests: a gRPC server on the service definitions generated into
 * @eventstore/db-client, so the real client runs end to end against it. What it implements and how it
 * differs from EventStoreDB 24.x: the emulator's entry in docs/design-notes.md.
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
