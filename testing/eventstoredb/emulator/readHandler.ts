import { type ServerWritableStream, status } from '@grpc/grpc-js';
import {
  type ReadReq,
  type ReadResp,
  sharedPb,
  streamsPb,
} from '../../../infrastructure/eventstoredb/esdbGenerated.ts';
import type { EmulatedEvent, EmulatorStore } from './emulatorStore.ts';
import { filterOf } from './readFilter.ts';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;
type Options = InstanceType<typeof streamsPb.ReadReq.Options>;
const { ReadDirection, StreamOptionCase } = streamsPb.ReadReq.Options;
const { RevisionOptionCase } = streamsPb.ReadReq.Options.StreamOptions;
const { AllOptionCase } = streamsPb.ReadReq.Options.AllOptions;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

const respOf = (event: EmulatedEvent): ReadResp => {
  const id = new sharedPb.UUID().setString(event.id);
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(id)
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(event.streamId, 'utf8')))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(event.position.toString())
    .setPreparePosition(event.position.toString())
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('content-type', event.contentType)
    .set('created', event.created.toString());
  const read = new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(event.position.toString());
  return new streamsPb.ReadResp().setEvent(read);
};

/** resolves on the first of the events, and leaves no listener behind */
const firstOf = (call: ReadCall, events: readonly string[]): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      for (const event of events) call.off(event, done);
      resolve();
    };
    for (const event of events) call.on(event, done);
  });

/** writes with backpressure; false once the client has gone away */
const send = async (call: ReadCall, resp: ReadResp): Promise<boolean> => {
  if (call.cancelled || call.destroyed) return false;
  if (!call.write(resp)) await firstOf(call, ['drain', 'cancelled', 'close']);
  return !call.cancelled && !call.destroyed;
};

const countOf = (options: Options): bigint => (options.hasCount() ? BigInt(options.getCount()) : MAX);

const readStream = async (store: EmulatorStore, call: ReadCall, options: Options): Promise<void> => {
  const streamOptions = options.getStream();
  const identifier = streamOptions?.getStreamIdentifier();
  if (streamOptions === undefined || identifier === undefined) {
    call.emit('error', { code: status.INVALID_ARGUMENT, details: 'stream options without a stream identifier' });
    return;
  }
  if (options.hasSubscription()) {
    call.emit('error', { code: status.UNIMPLEMENTED, details: 'the emulator has no stream subscriptions' });
    return;
  }
  const stream = store.stream(Buffer.from(identifier.getStreamName_asU8()).toString('utf8'));
  if (stream === undefined) {
    const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(identifier);
    await send(call, new streamsPb.ReadResp().setStreamNotFound(notFound));
    call.end();
    return;
  }
  const backwards = options.getReadDirection() === ReadDirection.BACKWARDS;
  const last = stream.length - 1;
  let selected: EmulatedEvent[];
  switch (streamOptions.getRevisionOptionCase()) {
    case RevisionOptionCase.REVISION: {
      const from = Number(streamOptions.getRevision());
      selected = backwards ? stream.slice(0, Math.min(from, last) + 1).reverse() : stream.slice(from);
      break;
    }
    case RevisionOptionCase.END:
      selected = backwards ? stream.slice().reverse() : [];
      break;
    default:
      selected = backwards ? stream.slice(0, 1) : stream.slice();
  }
  for (const event of selected.slice(0, Number(countOf(options)))) if (!(await send(call, respOf(event)))) return;
  call.end();
};

/** the log index to start from: forwards inclusive of `position`, backwards before it */
const startIndex = (
  store: EmulatorStore,
  all: InstanceType<typeof streamsPb.ReadReq.Options.AllOptions>,
  backwards: boolean,
) => {
  switch (all.getAllOptionCase()) {
    case AllOptionCase.POSITION: {
      const index = store.indexAtOrAfter(BigInt(all.getPosition()?.getCommitPosition() ?? '0'));
      return backwards ? index - 1 : index;
    }
    case AllOptionCase.END:
      return backwards ? store.log.length - 1 : store.log.length;
    default:
      return backwards ? -1 : 0;
  }
};

const readAll = async (store: EmulatorStore, call: ReadCall, options: Options): Promise<void> => {
  const all = options.getAll() as InstanceType<typeof streamsPb.ReadReq.Options.AllOptions>;
  const matches = filterOf(options.getFilter());
  const backwards = options.getReadDirection() === ReadDirection.BACKWARDS;
  let left = countOf(options);
  const step = backwards ? -1 : 1;
  for (let i = startIndex(store, all, backwards); left > 0n && i >= 0 && i < store.log.length; i += step) {
    const event = store.log[i] as EmulatedEvent;
    if (!matches(event)) continue;
    if (!(await send(call, respOf(event)))) return;
    left--;
  }
  call.end();
};

/**
 * A catch-up subscription to `$all`: confirmation, the stored events after the start (exclusive, as in
 * ESDB), caught_up, then each new event. One cursor into the log sends every event once, in order,
 * however catch-up and live phase interleave.
 */
const subscribeAll = async (
  store: EmulatorStore,
  call: ReadCall,
  options: Options,
  active: Set<ReadCall>,
): Promise<void> => {
  const all = options.getAll() as InstanceType<typeof streamsPb.ReadReq.Options.AllOptions>;
  const matches = filterOf(options.getFilter());
  let cursor =
    all.getAllOptionCase() === AllOptionCase.POSITION
      ? store.indexAtOrAfter(BigInt(all.getPosition()?.getCommitPosition() ?? '0') + 1n)
      : startIndex(store, all, false);
  let wake: (() => void) | undefined;
  const stopListening = store.onAppend(() => wake?.());
  const stop = () => wake?.();
  call.on('cancelled', stop);
  call.on('close', stop);
  active.add(call);
  try {
    const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID());
    if (!(await send(call, new streamsPb.ReadResp().setConfirmation(confirmation)))) return;
    let caughtUp = false;
    while (!call.cancelled && !call.destroyed) {
      while (cursor < store.log.length) {
        const event = store.log[cursor++] as EmulatedEvent;
        if (matches(event) && !(await send(call, respOf(event)))) return;
      }
      if (!caughtUp) {
        caughtUp = true;
        if (!(await send(call, new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp())))) return;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    stopListening();
    active.delete(call);
  }
};

/** Streams.Read (server streaming): a stream or `$all`, read once or subscribed to. */
export const readHandler = (store: EmulatorStore, active: Set<ReadCall>) => async (call: ReadCall) => {
  const options = call.request.getOptions();
  if (options === undefined) {
    call.emit('error', { code: status.INVALID_ARGUMENT, details: 'a read needs options' });
    return;
  }
  try {
    if (options.getStreamOptionCase() === StreamOptionCase.STREAM) await readStream(store, call, options);
    else if (options.hasSubscription()) await subscribeAll(store, call, options, active);
    else await readAll(store, call, options);
  } catch (error) {
    // grpc-js ignores what a handler returns: without this a bug would hang the client
    call.emit('error', { code: status.INTERNAL, details: `emulator: ${String(error)}` });
  }
};
