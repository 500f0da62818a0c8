import { createRequire } from 'node:module';

/**
 * The protobuf messages and gRPC service definitions generated into @eventstore/db-client.
 * They are CommonJS that attaches its exports at run time (`goog.object.extend(exports, …)`),
 * which Node's ESM loader cannot see as named exports, so they are loaded with `require`.
 * Loading the very files the client itself requires keeps one copy of each class: a message
 * built here is the one the client serialises, and the emulator speaks the client's protocol.
 * The casts only restate the package's own `.d.ts` files for what `require` returns.
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
