import { assertExpectedRevision, resolveRetry, type StoredEventRef } from '../append-rules';
import {
  type AppendResult,
  ConcurrencyError,
  EventStore,
  type EventStoreOptions,
  type ExpectedRevision,
  type NewEvent,
  PositionNotInLogError,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import { parseRecordedUpTo, type PreparedEvent, prepareAppend } from '../serialization';
import { Upcasters } from '../upcasters';
import {
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  parseConnectionString,
  type ResolvedEvent,
  START,
  type StreamingRead,
} from './esdb-client';
import {
  actualRevisionOf,
  isAccessDenied,
  isInvalidPosition,
  isStreamNotFound,
  isWrongExpectedVersion,
  toPortError,
} from './esdb-errors';
import {
  allowsAnyRevision,
  assertEventIds,
  isSystemEvent,
  positionOf,
  toEventData,
  toPosition,
  toStoredEvent,
} from './esdb-events';
import { EsdbLiveSubscription } from './esdb-subscription';

export interface EventStoreDbStoreOptions extends EventStoreOptions {
  /** The wall clock that fills `metadata.recordedAt` when the writer left it out. */
  now?: () => Date;
}

/** Events fetched per `$all` read while paging; system events are dropped on our side (see readAfter). */
const ALL_PAGE_SIZE = 500;
/** Events fetched per backward read when looking for the head: usually the first one is it. */
const HEAD_PAGE_SIZE = 32;
/** The client's `defaultDeadline` when the connection string sets none (Client constructor, v6). */
const CLIENT_DEFAULT_DEADLINE_MS = 10_000;
/**
 * Every read asks for the leader (the `requires-leader` header; a follower answers NotLeader and the
 * client reconnects to the leader it names). A follower lags the leader, and a process that only reads
 * (the projector) would otherwise stay on one after an election: read-your-writes and the refusal of
 * read models ahead of the log compare positions read by different connections.
 */
const FROM_LEADER = { requiresLeader: true } as const;

/**
 * The EventStoreDB adapter of the event store port (see esdb-events.ts for ids, metadata and positions).
 *
 * One `EventStoreDBClient` per store. Ledger streams get exact expected revisions; `'any'` is refused
 * except on `$...` and `system-...` streams, because a ledger write without a concurrency check could
 * interleave two decisions made on the same state.
 */
export class EventStoreDbEventStore extends EventStore {
  private readonly client: EventStoreDBClient;
  private readonly upcasters: Upcasters;
  private readonly now: () => Date;
  private readonly subscriptions = new Set<EsdbLiveSubscription>();
  /** Aborts each call in flight (see withinDeadline): close() ends them rather than wait for a stalled server. */
  private readonly callsInFlight = new Set<(error: Error) => void>();
  /**
   * How long one read or append may take. The client reads with no deadline at all, and appends on
   * BatchAppend (servers from 21.10) with none either (`deadline: Infinity`, which its call options give
   * precedence over a `deadline` we pass; the server's own timeout stops applying once the write reached
   * its writer), so a server that stays connected but never answers would hang them for ever, and with
   * them the account's queue of commands and a drain at shutdown. Both get the deadline plain Append gets
   * from the client: `defaultDeadline` of the connection string.
   */
  private readonly deadlineMs: number;
  private closed = false;

  constructor(connectionString: string, options: EventStoreDbStoreOptions = {}) {
    super();
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.deadlineMs = parseConnectionString(connectionString).defaultDeadline ?? CLIENT_DEFAULT_DEADLINE_MS;
    this.upcasters = options.upcasters ?? new Upcasters();
    this.now = options.now ?? (() => new Date());
  }

  /**
   * EventStoreDB recognises a retry by event id only when it repeats the original expected revision; a
   * retry after reloading the stream would be written twice. So, as the port requires, ids are looked up
   * in the stream before the expected revision is checked: a stream read per append to an existing stream.
   */
  async append(stream: string, expected: ExpectedRevision, events: NewEvent[]): Promise<AppendResult> {
    this.assertOpen();
    assertExpectedRevision(expected);
    if (expected === 'any' && !allowsAnyRevision(stream)) {
      throw new TypeError(
        `stream ${stream}: 'any' is allowed only on $... and system-... streams; pass an exact revision`,
      );
    }
    const prepared = prepareAppend(stream, events, this.now);
    assertEventIds(stream, prepared);
    // A retry is recognised here, before the server sees it, so that it is answered as one
    // (`alreadyStored`) rather than as a fresh append the server happened to take for a retry too: a
    // writer whose view was older than the stored append must read the stream again. One read per
    // append; a retry that lands between this read and the server's write is still answered by the
    // server, as a fresh append.
    const retry = await this.findRetry(stream, prepared);
    if (retry) return retry;
    let result;
    try {
      result = await this.withinDeadline(
        this.client.appendToStream(stream, prepared.map(toEventData), {
          expectedRevision: toEsdbRevision(expected),
        }),
        () =>
          new StoreUnavailableError(
            `EventStoreDB append to ${stream} got no answer within ${this.deadlineMs} ms; its outcome is unknown (it may still be recorded), and a retry with the same event ids is recorded once`,
          ),
      );
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      if (!isWrongExpectedVersion(error)) {
        const mapped = toPortError(error, `append to ${stream}`, stream);
        // A server that refuses this user's writes may still answer its reads: readiness asks for this.
        if (isAccessDenied(error)) this.writeFailure = { at: Date.now(), message: mapped.message };
        throw mapped;
      }
      return this.wrongExpectedRevision(stream, prepared, expected, actualRevisionOf(error));
    }
    this.writeFailure = undefined;
    // With `throwOnAppendFailure=false` in the connection string the client resolves a wrong expected
    // revision as `success: false` instead of throwing; nothing was written. (Its BatchAppend path then
    // reports a wrong `nextExpectedRevision`, so the actual revision is read from the stream.)
    if (!result.success) return this.wrongExpectedRevision(stream, prepared, expected);
    // A retry the server recognised itself is answered with the original revision; current servers give
    // its commit position too, older ones (and the test double) none, so it is read then.
    const position =
      result.position?.commit ?? (await this.positionOfRevision(stream, result.nextExpectedRevision));
    return { nextRevision: result.nextExpectedRevision, position };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.upcasters.upcastAll(await this.readStreamRaw(stream, options));
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.upcasters.upcastAll(await this.readAfter(options.after ?? 0n, options.maxCount ?? 1000));
  }

  /** Reads `$all` backwards in small pages until the first non-system event. */
  async headPosition(): Promise<bigint> {
    this.assertOpen();
    let from: ReturnType<typeof toPosition> | typeof END = END;
    for (;;) {
      const start = from;
      const page = await this.readPage(() =>
        this.client.readAll({ fromPosition: start, direction: BACKWARDS, maxCount: HEAD_PAGE_SIZE, ...FROM_LEADER }),
      );
      const head = page.find((resolved) => !isSystemEvent(resolved));
      if (head) return positionOf(head);
      if (page.length < HEAD_PAGE_SIZE) return 0n;
      // A backward read from a position returns only events before it.
      from = toPosition(positionOf(page[page.length - 1]));
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new EsdbLiveSubscription(
      this.client,
      async (after, maxCount) => this.upcasters.upcastAll(await this.readAfter(after, maxCount)),
      options,
    );
    this.subscriptions.add(subscription);
    void subscription.ended.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /**
   * Stops the subscriptions, ends the reads in flight (a catch-up read on a stalled server would otherwise
   * hold `stop()` until its deadline) and disposes the client, which cancels its calls.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // stop() marks each subscription stopped at once, so the reads ended below are not reported as errors.
    const stopped = Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    for (const abort of this.callsInFlight)
      abort(
        new StoreUnavailableError(
          'the EventStoreDB event store was closed while the call waited on the server (an append ended so may still be recorded)',
        ),
      );
    const disposed = this.client.dispose();
    await Promise.all([stopped, disposed]);
  }

  /**
   * Up to `maxCount` non-system events with a position strictly greater than `after`. Client v6 takes no
   * filter on `$all` reads, so system events are dropped here with the rule of `excludeSystemEvents()`.
   * The server reads `$all` only from the start of a record, so an `after` this log holds no event at
   * (another log's) is refused: `PositionNotInLogError`.
   */
  private async readAfter(after: bigint, maxCount: number): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let lastSeen = after;
    for (;;) {
      const from = lastSeen > 0n ? toPosition(lastSeen) : START;
      let page: ResolvedEvent[];
      try {
        page = await this.readPage(() =>
          this.client.readAll({ fromPosition: from, direction: FORWARDS, maxCount: ALL_PAGE_SIZE, ...FROM_LEADER }),
        );
      } catch (error) {
        if (isInvalidPosition(error)) throw new PositionNotInLogError(lastSeen, error);
        throw error;
      }
      for (const resolved of page) {
        const position = positionOf(resolved);
        // A forward read from a position includes the event at that position: it was delivered already.
        if (position <= lastSeen) continue;
        lastSeen = position;
        if (isSystemEvent(resolved)) continue;
        events.push(toStoredEvent(resolved));
        if (events.length >= maxCount) return events;
      }
      if (page.length < ALL_PAGE_SIZE) return events;
    }
  }

  private async readStreamRaw(stream: string, options: ReadStreamOptions): Promise<StoredEvent[]> {
    const from = options.fromRevision ?? 0n;
    const upToMs = options.recordedUpTo === undefined ? undefined : parseRecordedUpTo(options.recordedUpTo);
    if (options.maxCount === 0 || (options.toRevision !== undefined && options.toRevision < from)) return [];
    // As of a moment, the stream up to its first event recorded after it, which may come before `from`: a
    // prefix (`ReadStreamOptions`), read from the stream's start and cut there before the range is taken.
    const readFrom = upToMs === undefined ? from : 0n;
    const span = options.toRevision === undefined ? undefined : options.toRevision - readFrom + 1n;
    const limit =
      upToMs === undefined && options.maxCount !== undefined ? BigInt(options.maxCount) : undefined;
    const maxCount = span === undefined ? limit : limit === undefined || span < limit ? span : limit;
    let page: ResolvedEvent[];
    try {
      page = await this.readPage(() =>
        this.client.readStream(stream, {
          fromRevision: readFrom,
          direction: FORWARDS,
          ...(maxCount ? { maxCount } : {}),
          ...FROM_LEADER,
        }),
      );
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
    let events = page.map(toStoredEvent);
    if (upToMs !== undefined) {
      const firstLater = events.findIndex((event) => Date.parse(String(event.metadata.recordedAt)) > upToMs);
      events = (firstLater === -1 ? events : events.slice(0, firstLater)).filter((event) => event.revision >= from);
    }
    return options.maxCount === undefined ? events : events.slice(0, options.maxCount);
  }

  /** The original result when every event of this append is already in the stream (see resolveRetry). */
  private async findRetry(
    stream: string,
    prepared: PreparedEvent[],
    events?: StoredEvent[],
  ): Promise<AppendResult | undefined> {
    const stored = new Map(
      (events ?? (await this.readStreamRaw(stream, {}))).map((event) => [event.id, event]),
    );
    return resolveRetry(
      stream,
      prepared.map((event) => event.id),
      prepared.map((event) => stored.get(event.id) as StoredEventRef | undefined),
    );
  }

  /**
   * The server refused the expected revision: the original result if this append is a retry stored in
   * the meantime, else `ConcurrencyError` with the actual revision (the server's, or the stream's now).
   */
  private async wrongExpectedRevision(
    stream: string,
    prepared: PreparedEvent[],
    expected: ExpectedRevision,
    reported?: bigint | 'no_stream',
  ): Promise<AppendResult> {
    const events = await this.readStreamRaw(stream, {});
    const retry = await this.findRetry(stream, prepared, events);
    if (retry) return retry;
    const actual = reported ?? (events.length > 0 ? events[events.length - 1].revision : 'no_stream');
    throw new ConcurrencyError(stream, expected, actual);
  }

  private async positionOfRevision(stream: string, revision: bigint): Promise<bigint> {
    const [event] = await this.readStreamRaw(stream, { fromRevision: revision, maxCount: 1 });
    if (!event)
      throw new Error(`stream ${stream}: revision ${revision} reported by the server cannot be read`);
    return event.position;
  }

  /**
   * Drains one bounded read within the deadline; a stream-not-found, and the server's refusal of a
   * position, are rethrown as they are for the caller, other client errors are mapped to the port's. A
   * read that does not finish in time, or that close() ends, is cancelled and fails as
   * StoreUnavailableError.
   */
  private async readPage(read: () => StreamingRead<ResolvedEvent>): Promise<ResolvedEvent[]> {
    this.assertOpen();
    const call = read();
    const drained = (async () => {
      const page: ResolvedEvent[] = [];
      for await (const resolved of call) page.push(resolved);
      return page;
    })();
    try {
      return await this.withinDeadline(
        drained,
        () => new StoreUnavailableError(`EventStoreDB read got no answer within ${this.deadlineMs} ms`),
        () => {
          void call.cancel().catch(() => undefined);
          call.destroy();
        },
      );
    } catch (error) {
      if (error instanceof StoreUnavailableError || isStreamNotFound(error) || isInvalidPosition(error)) throw error;
      throw toPortError(error, 'read');
    }
  }

  /**
   * `work`, unless the deadline passes or close() comes first: then it fails with StoreUnavailableError
   * and is left to `abandon` (a read is cancelled; an append cannot be called back, and may still land).
   */
  private async withinDeadline<T>(
    work: Promise<T>,
    expired: () => StoreUnavailableError,
    abandon: () => void = () => undefined,
  ): Promise<T> {
    let abort!: (error: Error) => void;
    let aborted = false;
    const stopped = new Promise<never>(
      (_, reject) =>
        (abort = (error) => {
          aborted = true;
          reject(error);
        }),
    );
    const timer = setTimeout(() => abort(expired()), this.deadlineMs);
    this.callsInFlight.add(abort);
    try {
      return await Promise.race([work, stopped]);
    } catch (error) {
      if (aborted) {
        // Whatever the abandoned call ends with is of no interest any more.
        work.catch(() => undefined);
        abandon();
      }
      throw error;
    } finally {
      clearTimeout(timer);
      this.callsInFlight.delete(abort);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('the EventStoreDB event store is closed');
  }
}

function toEsdbRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return 'any';
  return expected;
}
