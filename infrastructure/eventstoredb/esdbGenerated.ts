import { createRequire } from 'node:module';

/**
 * The protobuf messages and gRPC services generated into @eventstore/db-client, loaded with `require`:
 * they are CommonJS whose exports Node's ESM loader cannot see. Loading the client's very files keeps
 * one copy of each class, so the emulator speaks the client's protocol.
 */
const require = createRequire(import.meta.url);
const generated = '@eventstore/db-client/generated';

export const streamsPb = require(
  `${generated}/streams_pb.js`,
) as typeof import('@eventstore/db-client/generated/streams_pb.js');
export const sharedPb = require(
  `${generated}/shared_pb.js`,
) as typeof import('@eventstore/db-client/generated/shared_pb.js');
export const streamsGrpc = require(
  `${generated}/streams_grpc_pb.js`,
) as typeof import('@eventstore/db-client/generated/streams_grpc_pb.js');
export const serverFeaturesPb = require(
  `${generated}/serverfeatures_pb.js`,
) as typeof import('@eventstore/db-client/generated/serverfeatures_pb.js');
export const statusPb = require(
  `${generated}/status_pb.js`,
) as typeof import('@eventstore/db-client/generated/status_pb.js');
export const serverFeaturesGrpc = require(
  `${generated}/serverfeatures_grpc_pb.js`,
) as typeof import('@eventstore/db-client/generated/serverfeatures_grpc_pb.js');

/** google.protobuf.Any from the copy of google-protobuf the generated files themselves load */
export const anyPb = createRequire(require.resolve(`${generated}/status_pb.js`))(
  'google-protobuf/google/protobuf/any_pb.js',
) as typeof import('google-protobuf/google/protobuf/any_pb.js');

export type ReadReq = import('@eventstore/db-client/generated/streams_pb.js').ReadReq;
export type ReadResp = import('@eventstore/db-client/generated/streams_pb.js').ReadResp;
export type AppendReq = import('@eventstore/db-client/generated/streams_pb.js').AppendReq;
export type AppendResp = import('@eventstore/db-client/generated/streams_pb.js').AppendResp;
export type BatchAppendReq = import('@eventstore/db-client/generated/streams_pb.js').BatchAppendReq;
export type BatchAppendResp = import('@eventstore/db-client/generated/streams_pb.js').BatchAppendResp;
