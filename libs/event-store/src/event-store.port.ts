/**
 * The event store port: the one way the ledger stores and reads events.
 *
 * Adapters (sqlite, eventstoredb, memory) extend `EventStore`; it is an abstract class so that Nest can
 * inject it without a token. Every adapter passes the same contract suite.
 */

import type { Upcasters } from './upcasters';

/** Who and what caused an event: carried in every envelope, never interpreted by the store. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  /** The idempotency key of the command that produced the event. */
  commandId?: string;
  /** The authenticated principal (an API key's name and role, `system:end-of-day`, ...). */
  actor?: string;
  /** The business date (Asia/Shanghai, YYYY-MM-DD) on which the command ran. */
  businessDate?: string;
  /** ISO-8601 wall time at which the event was recorded. Filled by the store when absent. */
  recordedAt?: string;
  /** Hash of this event chained over the previous event of its stream (tamper evidence). */
  chainHash?: string;
  [key: string]: unknown;
}

/** An event before it is stored. `id` must be unique within its stream and deterministic for retries to be no-ops. */
export interface NewEvent<D = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  data: D;
  metadata?: EventMetadata;
}

/** An event as stored and read back. */
export interface StoredEvent<D = unknown> {
  id: string;
  stream: string;
  /** 0-based position of the event inside its stream. */
  revision: bigint;
  /**
   * Position in the global log: totally ordered and strictly increasing, an exact checkpoint to resume
   * from. Memory and sqlite number it 1, 2, 3... without gaps; EventStoreDB uses `$all` commit
   * positions, which have gaps. Treat it as opaque beyond ordering.
   */
  position: bigint;
  type: string;
  schemaVersion: number;
  data: D;
  metadata: EventMetadata;
}

/**
 * An event read without its metadata (`EventStore.readStreamData`), by a reader that never looks at it.
 * A whole `StoredEvent` is one too.
 */
export type StoredEventData<D = unknown> = Omit<StoredEvent<D>, 'metadata'>;

/**
 * What the writer expects of the stream:
 * - `'no_stream'`: the stream must not exist;
 * - `'any'`: no check; allowed only on `$...` and `system-...` streams (adapters refuse it elsewhere
 *   with a TypeError, so no ledger stream is ever written without a check);
 * - a bigint: the revision of the stream's last event.
 */
export type ExpectedRevision = 'no_stream' | 'any' | bigint;

export interface AppendResult {
  /** Revision of the last event of the stream after the append. */
  nextRevision: bigint;
  /** Global position of the last event written (or already stored, for an idempotent retry). */
  position: bigint;
  /**
   * true when every event of the append was already stored, as that append: a retry of an append that
   * committed though its caller never heard so. Nothing was written, and the result is the first one's.
   * A writer whose view of the stream was older than that append must read the stream again.
   */
  alreadyStored?: boolean;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive). Default 0. */
  fromRevision?: bigint;
  /** Last revision to read (inclusive). */
  toRevision?: bigint;
  /**
   * As of this ISO time: the stream up to, not including, its first event whose metadata.recordedAt is
   * after it. A stream is appended in order, so this is always a prefix of it: a clock that stepped back
   * cannot give an event without one that came before it.
   */
  recordedUpTo?: string;
  /** At most this many events. */
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events with a position strictly greater than this. Default 0n (from the start). */
  after?: bigint;
  /** Page size. Default 1000. */
  maxCount?: number;
}

export interface Subscription {
  /** Stops delivery; resolves once no more events will be delivered. */
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  /** Deliver events with a position strictly greater than this (a stored checkpoint). Default 0n. */
  after?: bigint;
  /**
   * Called for each batch, in global order. Delivery of the next batch waits for the returned promise,
   * so a handler that commits its checkpoint with the batch never sees an event twice.
   */
  onEvents(events: StoredEvent[]): Promise<void> | void;
  /** Called when catch-up has reached the head and delivery turns live. */
  onCaughtUp?(position: bigint): void;
  onError?(error: Error): void;
  /** Batch size during catch-up. Default 500. */
  batchSize?: number;
}

/** The wrong expected revision: carries what the writer expected and what the stream actually had. */
export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}

/** The store could not be reached or answered with a transient fault (not leader, unavailable, deadline). */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A read of the global log from a position it holds no event at. EventStoreDB reads `$all` only from the
 * start of a record: a position another log gave (read models of another log, or of this log before a
 * restore it was written to since) is refused there. Adapters whose positions are counts read on.
 */
export class PositionNotInLogError extends Error {
  readonly code = 'POSITION_NOT_IN_LOG';
  constructor(
    readonly position: bigint,
    override readonly cause?: unknown,
  ) {
    super(`the event log holds no event at position ${position}: it is not a position of this log`);
    this.name = 'PositionNotInLogError';
  }
}

/**
 * The stream was deleted in the store, outside the ledger, which never deletes: EventStoreDB refuses to
 * read or write a stream deleted for good (tombstoned). Only an operator can bring its history back.
 */
export class StreamDeletedError extends Error {
  readonly code = 'STREAM_DELETED';
  constructor(
    readonly stream: string,
    override readonly cause?: unknown,
  ) {
    super(`stream ${stream} is deleted in the event store; the ledger never deletes a stream, so it was deleted there`);
    this.name = 'StreamDeletedError';
  }
}

/** The store refused an append larger than it takes at once (EventStoreDB's `MaxAppendSize`); nothing was written. */
export class AppendTooLargeError extends Error {
  readonly code = 'APPEND_TOO_LARGE';
  constructor(
    readonly stream: string,
    /** The store's limit in bytes, when it said. */
    readonly maxAppendSize: number | undefined,
    override readonly cause?: unknown,
  ) {
    super(
      `stream ${stream}: the append is larger than the event store takes at once${maxAppendSize === undefined ? '' : ` (${maxAppendSize} bytes)`}`,
    );
    this.name = 'AppendTooLargeError';
  }
}

/**
 * An append reused an event id of its stream in a way that is not a plain retry: some of its ids are
 * stored in the stream and some are not, or the stored events are not this append's events in this
 * order. A retry of the same append is a no-op instead (see `EventStore.append`).
 */
export class EventIdCollisionError extends Error {
  readonly code = 'EVENT_ID_COLLISION';
  constructor(
    readonly stream: string,
    readonly eventIds: readonly string[],
    readonly reason: string,
  ) {
    super(`stream ${stream}: event id collision (${reason}): ${eventIds.join(', ')}`);
    this.name = 'EventIdCollisionError';
  }
}

/** Options every adapter accepts in its constructor or factory. */
export interface EventStoreOptions {
  /** Applied to every event read (readStream, readAll, subscriptions); stored rows are never rewritten. */
  upcasters?: Upcasters;
}

export abstract class EventStore {
  /**
   * Appends events atomically with an optimistic concurrency check. Appending events whose ids are all
   * already stored in this stream is a no-op returning the original result (safe retries). That check
   * comes before the expected-revision check, so a retry after a lost reply succeeds; a partial reuse of
   * the stream's ids throws `EventIdCollisionError`. Ids are recognised within their stream, as
   * EventStoreDB recognises them: an id stored in another stream does not make an append a retry.
   */
  abstract append(stream: string, expected: ExpectedRevision, events: NewEvent[]): Promise<AppendResult>;

  /** Reads a stream forwards. An unknown stream reads as an empty array. */
  abstract readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;

  /**
   * `readStream` for a reader that never looks at the events' metadata (the read models' replays): an
   * adapter may leave it unread. This default reads the whole events; the SQLite adapter reads no
   * metadata, whose reading and parsing (about 400 bytes an event, most of it ids and hashes) was a
   * fifteenth of a rebuild's time.
   */
  readStreamData(stream: string, options?: ReadStreamOptions): Promise<StoredEventData[]> {
    return this.readStream(stream, options);
  }

  /**
   * Reads a page of the global log, in position order. An `after` that is not a position of this log may
   * be refused with `PositionNotInLogError` (EventStoreDB's adapter does; the others read on).
   */
  abstract readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;

  /** The position of the last event in the global log (0n when empty). */
  abstract headPosition(): Promise<bigint>;

  /**
   * The last write's failure, while no write has succeeded since (the disk full, the file not writable):
   * when it happened and what it was, the file named. A store that cannot tell says undefined.
   */
  lastWriteFailure(): { at: number; message: string } | undefined {
    return this.writeFailure;
  }

  /** Set by an adapter when a write is refused for a cause readiness should see, cleared when a write succeeds (`lastWriteFailure`). */
  protected writeFailure: { at: number; message: string } | undefined;

  /**
   * The streams whose first event is at or before `until` in the global log, in the order of those
   * first events; with `prefix`, only those whose name starts with it. This default reads the log; an
   * adapter may answer from its own tables (the SQLite one does, parsing no event). On EventStoreDB,
   * whose `readAll` leaves system events out, a stream's first event is its first that is not one.
   */
  async streamsUpTo(until: bigint, prefix = ''): Promise<string[]> {
    const streams: string[] = [];
    const seen = new Set<string>();
    for (let after = 0n; after < until; ) {
      const page = await this.readAll({ after, maxCount: 5_000 });
      if (page.length === 0) break;
      for (const event of page) {
        if (event.position > until) return streams;
        if (event.stream.startsWith(prefix) && !seen.has(event.stream)) {
          seen.add(event.stream);
          streams.push(event.stream);
        }
      }
      after = page[page.length - 1].position;
    }
    return streams;
  }

  /** Catch-up from `after`, then live delivery. */
  abstract subscribeToAll(options: SubscribeOptions): Subscription;

  /** Releases connections and file handles. */
  abstract close(): Promise<void>;
}
