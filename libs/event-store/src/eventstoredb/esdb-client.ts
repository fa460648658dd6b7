/**
 * The one module that imports `@eventstore/db-client`.
 *
 * Everything else in this adapter (and its loopback test double) imports from here, so moving to
 * `@kurrent/kurrentdb-client` means editing this file only: the Kurrent client keeps these names.
 */
export {
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
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
} from '@eventstore/db-client';

import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb';

/** The client's generated gRPC stubs, which the loopback test double serves. */
export interface EsdbWireProtocol {
  streamsGrpc: typeof StreamsGrpc;
  streamsPb: typeof StreamsPb;
  sharedPb: typeof SharedPb;
}

/**
 * Loaded lazily so production code never pulls the generated stubs in through this module. The double
 * must use the very module instances the client uses: the generated serializers check `instanceof`.
 */
export function loadEsdbWireProtocol(): EsdbWireProtocol {
  return {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    streamsGrpc: require('@eventstore/db-client/generated/streams_grpc_pb'),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    streamsPb: require('@eventstore/db-client/generated/streams_pb'),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sharedPb: require('@eventstore/db-client/generated/shared_pb'),
  };
}
