import { type ServerReadableStream, type sendUnaryData, status } from '@grpc/grpc-js';
import {
  type AppendReq,
  type AppendResp,
  sharedPb,
  streamsPb,
} from '../../../infrastructure/eventstoredb/esdbGenerated.ts';
import { emulatedAppend, esdbError, ReceivedEvents } from './emulatedAppend.ts';
import type { EmulatedExpectation, EmulatorStore } from './emulatorStore.ts';

const Options = streamsPb.AppendReq.Options;

const expectationOf = (options: InstanceType<typeof Options>): EmulatedExpectation => {
  switch (options.getExpectedStreamRevisionCase()) {
    case Options.ExpectedStreamRevisionCase.REVISION:
      return BigInt(options.getRevision());
    case Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
};

const wrongExpectedVersion = (expected: EmulatedExpectation, current: bigint | undefined): AppendResp => {
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  if (current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentRevision(current.toString());
  if (typeof expected === 'bigint') wrong.setExpectedRevision(expected.toString());
  else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
  else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
  else wrong.setExpectedAny(new sharedPb.Empty());
  return new streamsPb.AppendResp().setWrongExpectedVersion(wrong);
};

/**
 * Streams.Append (client streaming): the first message carries the options (stream and
 * expected revision), every further one a proposed event; the reply comes after the client
 * half-closes. The whole append is applied at once, so it is atomic like ESDB's.
 */
export const appendHandler =
  (store: EmulatorStore) =>
  (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>) => {
    let options: InstanceType<typeof Options> | undefined;
    const received = new ReceivedEvents();
    call.on('data', (request: AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      const message = request.getProposedMessage();
      if (message !== undefined) received.add([message]);
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      const identifier = options?.getStreamIdentifier();
      if (options === undefined || identifier === undefined) {
        callback({ code: status.INVALID_ARGUMENT, details: 'the first append message must carry the options' });
        return;
      }
      const expected = expectationOf(options);
      const outcome = emulatedAppend(store, identifier.getStreamName_asU8(), expected, received);
      if (outcome.kind === 'refused') {
        callback(esdbError(status.INVALID_ARGUMENT, 'missing-required-metadata-property', outcome.reason));
        return;
      }
      if (outcome.kind === 'wrong_expected_version') {
        callback(null, wrongExpectedVersion(expected, outcome.current));
        return;
      }
      const success = new streamsPb.AppendResp.Success();
      if (outcome.revision === undefined) success.setNoStream(new sharedPb.Empty());
      else success.setCurrentRevision(outcome.revision.toString());
      if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
      else {
        const at = outcome.position.toString();
        success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(at).setPreparePosition(at));
      }
      callback(null, new streamsPb.AppendResp().setSuccess(success));
    });
  };
