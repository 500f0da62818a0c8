import { Metadata, type ServerReadableStream, type sendUnaryData, status } from '@grpc/grpc-js';
import { type AppendReq, type AppendResp, sharedPb, streamsPb } from '../esdbGenerated.ts';
import type { EmulatedExpectation, EmulatorStore, ProposedEvent } from './emulatorStore.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const Options = streamsPb.AppendReq.Options;

/** a gRPC error carrying ESDB's `exception` trailer, which the client maps to its error classes */
const esdbError = (code: status, exception: string, details: string) => {
  const metadata = new Metadata();
  metadata.set('exception', exception);
  return { code, details, metadata };
};

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

/** ProposedMessage → stored form, or the reason ESDB would refuse it */
const proposedOf = (message: InstanceType<typeof streamsPb.AppendReq.ProposedMessage>): ProposedEvent | string => {
  const uuid = message.getId();
  const id = uuid?.hasString() ? uuid.getString().toLowerCase() : undefined;
  if (id === undefined || !UUID.test(id)) return `event id ${id ?? '(none)'} is not a UUID`;
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (!type || !contentType) return `event ${id} lacks the required metadata type and content-type`;
  return {
    id,
    type,
    contentType,
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
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
    const proposed: ProposedEvent[] = [];
    let refused: string | undefined;
    call.on('data', (request: AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      const message = request.getProposedMessage();
      if (message === undefined) return;
      const event = proposedOf(message);
      if (typeof event === 'string') refused ??= event;
      else proposed.push(event);
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      const identifier = options?.getStreamIdentifier();
      if (options === undefined || identifier === undefined) {
        callback({ code: status.INVALID_ARGUMENT, details: 'the first append message must carry the options' });
        return;
      }
      if (refused !== undefined) {
        callback(esdbError(status.INVALID_ARGUMENT, 'missing-required-metadata-property', refused));
        return;
      }
      const streamId = Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
      const expected = expectationOf(options);
      const outcome = store.append(streamId, expected, proposed);
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
