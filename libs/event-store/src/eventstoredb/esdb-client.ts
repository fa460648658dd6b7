/**
 * The one module that imports `@eventstore/db-client`.
 *
 * Everything else in this adapter (and its loopback test double) imports from here, so moving to
 * `@kurrent/kurrentdb-client` means editing this file only: the Kurrent client keeps these names.
 */
export {
  AccessDeniedError,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
export type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
  JSONEventData,
  Position as EsdbPosition,
  RecordedEvent,
  ResolvedEvent,
  StreamingRead,
} from '@eventstore/db-client';

/**
 * The client's own parser of connection strings, to read settings the client keeps private (such as
 * `defaultDeadline`) exactly as the client reads them. Not re-exported by the package's index.
 */
export { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString';

import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb';

/** The client's generated gRPC stubs, which the loopback test double serves. */
export interface EsdbWireProtocol {
  streamsGrpc: typeof StreamsGrpc;
  streamsPb: typeof StreamsPb;
  sharedPb: typeof SharedPb;
  statusPb: typeof StatusPb;
  serverFeaturesGrpc: typeof ServerFeaturesGrpc;
  serverFeaturesPb: typeof ServerFeaturesPb;
  anyPb: typeof AnyPb;
  emptyPb: typeof EmptyPb;
}

/**
 * Loaded lazily so production code never pulls the generated stubs in through this module. The double
 * must use the very module instances the client uses: the generated serializers check `instanceof`.
 */
export function loadEsdbWireProtocol(): EsdbWireProtocol {
  // google-protobuf as the client's generated code resolves it.
  const paths = [require.resolve('@eventstore/db-client/generated/status_pb')];
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    streamsGrpc: require('@eventstore/db-client/generated/streams_grpc_pb'),
    streamsPb: require('@eventstore/db-client/generated/streams_pb'),
    sharedPb: require('@eventstore/db-client/generated/shared_pb'),
    statusPb: require('@eventstore/db-client/generated/status_pb'),
    serverFeaturesGrpc: require('@eventstore/db-client/generated/serverfeatures_grpc_pb'),
    serverFeaturesPb: require('@eventstore/db-client/generated/serverfeatures_pb'),
    anyPb: require(require.resolve('google-protobuf/google/protobuf/any_pb', { paths })),
    emptyPb: require(require.resolve('google-protobuf/google/protobuf/empty_pb', { paths })),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}
