import { status as GrpcStatus } from '@grpc/grpc-js';
import { AppendTooLargeError, StoreUnavailableError, StreamDeletedError } from '../event-store.port';
import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  EsdbStreamDeletedError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from './esdb-client';

/**
 * Faults after which the same request may succeed: the node is not the leader (the client reconnects to
 * the leader it was told about), the server cannot be reached, a deadline passed, the server timed the
 * write out (ABORTED), or the server cancelled a long call. Appends are safe to retry because event ids
 * are deterministic and a retry is a no-op.
 */
const TRANSIENT = [NotLeaderError, UnavailableError, DeadlineExceededError, TimeoutError, CancelledError];

/** gRPC codes that mean the same when they reach us before the client wrapped them. */
const TRANSIENT_CODES = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.ABORTED,
]);

/**
 * On BatchAppend (what the client uses on servers from 21.10) the server answers a write it could not
 * take with a status carrying only a message: "Server Is Not Ready", "Server Is Busy" or "No leader info
 * available in response" (Streams.BatchAppend.cs, ClientMessage.NotHandled). The client does not know
 * that status and throws `UnknownError("Could not recognize <message>")` (appendToStream/unpackError.js).
 */
const NOT_HANDLED_ON_BATCH_APPEND =
  /^Could not recognize (Server Is Not Ready|Server Is (Too )?Busy|No leader info available in response)$/i;

export function isTransient(error: unknown): boolean {
  if (TRANSIENT.some((type) => error instanceof type)) return true;
  if (error instanceof UnknownError && NOT_HANDLED_ON_BATCH_APPEND.test(error.message)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && TRANSIENT_CODES.has(code);
}

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof StreamNotFoundError;
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError;
}

/**
 * The stream's actual last revision carried by a wrong-expected-version error. Client v6 declares the
 * fields `current`/`expected` but sets `actualVersion`/`expectedVersion` at run time, so read both.
 */
export function actualRevisionOf(error: WrongExpectedVersionError): bigint | 'no_stream' {
  const fields = error as unknown as { actualVersion?: unknown; current?: unknown };
  const actual = fields.actualVersion ?? fields.current;
  if (typeof actual === 'bigint' && actual >= 0n) return actual;
  return 'no_stream';
}

/**
 * The server refused the connection's user (PERMISSION_DENIED, UNAUTHENTICATED): a secure cluster asked
 * without credentials (anonymous access is off from 23.10, and `$all` needs `$admins` by default), or a
 * user without the right. The client throws AccessDeniedError for some calls and UnknownError for others.
 */
export function isAccessDenied(error: unknown): boolean {
  if (error instanceof AccessDeniedError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === GrpcStatus.PERMISSION_DENIED || code === GrpcStatus.UNAUTHENTICATED) return true;
  return error instanceof UnknownError && /access denied|permission denied|unauthenticated/i.test(error.message);
}

/**
 * The server's refusal to read `$all` from a position that is not the start of a record (its
 * InvalidPosition: INVALID_ARGUMENT "Trying to read from an invalid position.", RpcExceptions.cs), which
 * the client passes on as an UnknownError carrying the gRPC code.
 */
export function isInvalidPosition(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === GrpcStatus.INVALID_ARGUMENT && error instanceof Error && /invalid position/i.test(error.message);
}

/**
 * Maps a client error to the port's errors: a transient fault, or access refused (which the API answers
 * as the store unavailable, 503, naming what to fix), is `StoreUnavailableError`; a tombstoned stream is
 * `StreamDeletedError` and an append over the server's MaxAppendSize `AppendTooLargeError`, each of which
 * the API answers with its own code; anything else is rethrown as it is.
 */
export function toPortError(error: unknown, operation: string, stream?: string): Error {
  if (error instanceof EsdbStreamDeletedError) return new StreamDeletedError(error.streamName ?? stream ?? '', error);
  if (error instanceof MaxAppendSizeExceededError) {
    const limit = Number.isFinite(error.maxAppendSize) ? error.maxAppendSize : undefined;
    return new AppendTooLargeError(stream ?? '', limit, error);
  }
  if (isAccessDenied(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new StoreUnavailableError(
      `EventStoreDB refused ${operation}: access denied (${message}). EVENTSTORE_CONNECTION_STRING needs the credentials of a user that may read $all and write the ledger's streams (esdb://<user>:<password>@<host>:2113?tls=true...; docs/configuration.md)`,
      error,
    );
  }
  if (isTransient(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new StoreUnavailableError(`EventStoreDB ${operation} failed: ${message}`, error);
  }
  return error instanceof Error ? error : new Error(String(error));
}
