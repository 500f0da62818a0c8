import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import {
  anyPb,
  type BatchAppendReq,
  type BatchAppendResp,
  sharedPb,
  statusPb,
  streamsPb,
} from '../../../infrastructure/eventstoredb/esdbGenerated.ts';
import { emulatedAppend, esdbError, ReceivedEvents } from './emulatedAppend.ts';
import type { AppendOutcome, EmulatedExpectation, EmulatorStore } from './emulatorStore.ts';

type BatchCall = ServerDuplexStream<BatchAppendReq, BatchAppendResp>;
type Options = InstanceType<typeof streamsPb.BatchAppendReq.Options>;
type Uuid = InstanceType<typeof sharedPb.UUID>;
const { ExpectedStreamPositionCase } = streamsPb.BatchAppendReq.Options;

/** one append whose final request has not arrived yet */
type Pending = { readonly correlationId: Uuid; readonly options: Options; readonly events: ReceivedEvents };

const expectationOf = (options: Options): EmulatedExpectation => {
  switch (options.getExpectedStreamPositionCase()) {
    case ExpectedStreamPositionCase.STREAM_POSITION:
      return BigInt(options.getStreamPosition());
    case ExpectedStreamPositionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case ExpectedStreamPositionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
};

/** a google.rpc.Status as ESDB builds it for BatchAppend: a message and one packed detail */
const statusOf = (message: string, typeName: string, detail: { serializeBinary(): Uint8Array }) => {
  const details = new anyPb.Any();
  details.pack(detail.serializeBinary(), `event_store.client.${typeName}`);
  return new statusPb.Status().setMessage(message).setDetails(details);
};

const wrongExpectedVersion = (expected: EmulatedExpectation, current: bigint | undefined) => {
  const wrong = new sharedPb.WrongExpectedVersion();
  if (current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentStreamRevision(current.toString());
  if (typeof expected === 'bigint') wrong.setExpectedStreamPosition(expected.toString());
  else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
  else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
  else wrong.setExpectedAny(new sharedPb.Empty());
  return statusOf('WrongExpectedVersion', 'WrongExpectedVersion', wrong);
};

const successOf = (revision: bigint | undefined, position: bigint | undefined) => {
  const success = new streamsPb.BatchAppendResp.Success();
  if (revision === undefined) success.setNoStream(new sharedPb.Empty());
  else success.setCurrentRevision(revision.toString());
  if (position === undefined) success.setNoPosition(new sharedPb.Empty());
  else {
    const at = position.toString();
    success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(at).setPreparePosition(at));
  }
  return success;
};

/** the reply to one append: correlation id, stream and expected revision echoed, then the result */
const replyOf = (pending: Pending, expected: EmulatedExpectation, outcome: AppendOutcome | 'timeout') => {
  const reply = new streamsPb.BatchAppendResp()
    .setCorrelationId(pending.correlationId)
    .setStreamIdentifier(pending.options.getStreamIdentifier());
  if (typeof expected === 'bigint') reply.setStreamPosition(expected.toString());
  else if (expected.kind === 'no_stream') reply.setNoStream(new sharedPb.Empty());
  else if (expected.kind === 'stream_exists') reply.setStreamExists(new sharedPb.Empty());
  else reply.setAny(new sharedPb.Empty());
  if (outcome === 'timeout') return reply.setError(statusOf('Timeout', 'Timeout', new sharedPb.Timeout()));
  if (outcome.kind === 'wrong_expected_version') return reply.setError(wrongExpectedVersion(expected, outcome.current));
  return reply.setSuccess(successOf(outcome.revision, outcome.position));
};

/**
 * Streams.BatchAppend: requests name their append by correlation id; the first carries the options,
 * any may carry events, and `is_final` applies it and answers once. Appends of many callers interleave
 * on one call; a malformed request fails the whole call, as in ESDB.
 */
export const batchAppendHandler = (store: EmulatorStore) => (call: BatchCall) => {
  const pending = new Map<string, Pending>();
  const fail = (error: { code: status; details: string }) => {
    pending.clear();
    call.emit('error', error);
  };
  call.on('data', (request: BatchAppendReq) => {
    const correlationId = request.getCorrelationId();
    if (correlationId === undefined) {
      fail({ code: status.INVALID_ARGUMENT, details: 'a batch append request without a correlation id' });
      return;
    }
    // string or structured form alike: the serialised UUID is the key
    const key = Buffer.from(correlationId.serializeBinary()).toString('hex');
    let append = pending.get(key);
    if (append === undefined) {
      const options = request.getOptions();
      if (options === undefined || !options.hasStreamIdentifier()) {
        fail({ code: status.INVALID_ARGUMENT, details: 'the first request of a batch append must carry the options' });
        return;
      }
      append = { correlationId, options, events: new ReceivedEvents() };
      pending.set(key, append);
    }
    append.events.add(request.getProposedMessagesList());
    if (!request.getIsFinal()) return;
    pending.delete(key);
    const { options, events } = append;
    const expected = expectationOf(options);
    const deadline = options.getDeadline()?.toDate();
    const streamName = options.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array();
    const outcome =
      deadline !== undefined && deadline.getTime() < Date.now()
        ? 'timeout'
        : emulatedAppend(store, streamName, expected, events);
    if (outcome !== 'timeout' && outcome.kind === 'refused') {
      fail(esdbError(status.INVALID_ARGUMENT, 'missing-required-metadata-property', outcome.reason));
      return;
    }
    call.write(replyOf(append, expected, outcome));
  });
  call.on('error', () => undefined);
  call.on('end', () => call.end());
};
