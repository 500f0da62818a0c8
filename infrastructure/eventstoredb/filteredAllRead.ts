import { createRequire } from 'node:module';
import type { RecordedEvent as EsdbRecordedEvent, EventStoreDBClient } from '@eventstore/db-client';
import type { CallOptions, Metadata } from '@grpc/grpc-js';
import type { Position, RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import { type ReadReq, type ReadResp, sharedPb, streamsGrpc, streamsPb } from './esdbGenerated.ts';
import { toRecordedEvent } from './esdbRecordedEvent.ts';

const require = createRequire(import.meta.url);
/** the client's own protobuf → event conversion, so reads and subscriptions decode alike */
const { convertGrpcRecord } = require('@eventstore/db-client/dist/utils/convertGrpcEvent.js') as {
  convertGrpcRecord: (record: InstanceType<typeof streamsPb.ReadResp.ReadEvent.RecordedEvent>) => EsdbRecordedEvent;
};

type StreamsClient = InstanceType<typeof streamsGrpc.StreamsClient>;
/**
 * The client's protected members this module uses: @eventstore/db-client 6.2.1's `readAll` cannot
 * filter (it always sends `no_filter`), so a filtered read builds its own ReadReq, keeping the
 * client's channel, credentials and reconnect-on-UNAVAILABLE.
 */
type ClientInternals = {
  GRPCStreamCreator(
    client: typeof streamsGrpc.StreamsClient,
    debugName: string,
    creator: (client: StreamsClient) => NodeJS.ReadableStream,
  ): () => Promise<NodeJS.ReadableStream & { cancel(): void }>;
  callArguments(options: object, callOptions?: CallOptions): [Metadata, CallOptions];
};

export type FilteredRead = {
  /** 'start', 'end' or an inclusive position (ESDB's read semantics) */
  readonly from: 'start' | 'end' | Position;
  readonly direction: 'forwards' | 'backwards';
  readonly maxCount: number;
  /** stream-name prefix; without one, system events (type `$…`) are filtered out instead */
  readonly streamPrefix: string | undefined;
  /** ms; reads run without a deadline unless given one */
  readonly deadlineMs?: number;
};

/** the filter every `$all` read and subscription of the adapter uses */
export const filterOptionsFor = (streamPrefix: string | undefined) => {
  const expression = new streamsPb.ReadReq.Options.FilterOptions.Expression();
  const filter = new streamsPb.ReadReq.Options.FilterOptions().setCount(new sharedPb.Empty());
  filter.setCheckpointintervalmultiplier(1);
  if (streamPrefix) filter.setStreamIdentifier(expression.setPrefixList([streamPrefix]));
  else filter.setEventType(expression.setRegex('^[^$].*'));
  return filter;
};

const requestFor = (read: FilteredRead): ReadReq => {
  const all = new streamsPb.ReadReq.Options.AllOptions();
  if (read.from === 'start') all.setStart(new sharedPb.Empty());
  else if (read.from === 'end') all.setEnd(new sharedPb.Empty());
  else {
    const position = new streamsPb.ReadReq.Options.Position()
      .setCommitPosition(read.from.commit.toString())
      .setPreparePosition(read.from.prepare.toString());
    all.setPosition(position);
  }
  const options = new streamsPb.ReadReq.Options()
    .setAll(all)
    .setReadDirection(
      read.direction === 'forwards'
        ? streamsPb.ReadReq.Options.ReadDirection.FORWARDS
        : streamsPb.ReadReq.Options.ReadDirection.BACKWARDS,
    )
    .setResolveLinks(false)
    .setCount(String(read.maxCount))
    .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()))
    .setFilter(filterOptionsFor(read.streamPrefix));
  return new streamsPb.ReadReq().setOptions(options);
};

/** A server-side filtered read of `$all` through the client's connection. */
export const filteredAllRead = async (client: EventStoreDBClient, read: FilteredRead): Promise<RecordedEvent[]> => {
  // narrow cast to protected members; see ClientInternals
  const internals = client as unknown as ClientInternals;
  const request = requestFor(read);
  const deadline = read.deadlineMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + read.deadlineMs;
  const open = internals.GRPCStreamCreator(streamsGrpc.StreamsClient, 'filteredReadAll', (grpc) =>
    grpc.read(request, ...internals.callArguments({}, { deadline })),
  );
  const stream = await open();
  const events: RecordedEvent[] = [];
  for await (const resp of stream as AsyncIterable<ReadResp>) {
    const record = resp.getEvent()?.getEvent();
    if (record !== undefined) events.push(toRecordedEvent(convertGrpcRecord(record)));
  }
  return events;
};
