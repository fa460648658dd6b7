import {
  assertAnyAllowed,
  assertExpectedRevision,
  checkExpectedRevision,
  resolveRetry,
  type StoredEventRef,
} from '../append-rules';
import {
  type AppendResult,
  EventStore,
  type EventStoreOptions,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StoredEventData,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import {
  parseRecordedUpTo,
  parseStoredEvent,
  prepareAppend,
  type SerializedStoredEvent,
} from '../serialization';
import { AppendSignal, CatchUpSubscription } from '../subscription/catch-up-subscription';
import { Upcasters } from '../upcasters';

export interface MemoryEventStoreOptions extends EventStoreOptions {
  /** The wall clock that fills `metadata.recordedAt` when the writer left it out. */
  now?: () => Date;
}

type Row = SerializedStoredEvent & { recordedAtMs: number };

/**
 * An in-process store for fast unit tests. It keeps events serialized, as the real stores do, so a test
 * cannot pass by sharing object references with the store or by storing something that is not JSON.
 */
export class MemoryEventStore extends EventStore {
  /** The global log: the event at position p is at index p - 1. */
  private readonly log: Row[] = [];
  private readonly streams = new Map<string, Row[]>();
  /** Each stream's events by id: ids are recognised within their stream, as the other stores do. */
  private readonly byId = new Map<string, Map<string, Row>>();
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly upcasters: Upcasters;
  private readonly now: () => Date;
  private closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    super();
    this.upcasters = options.upcasters ?? new Upcasters();
    this.now = options.now ?? (() => new Date());
  }

  async append(stream: string, expected: ExpectedRevision, events: NewEvent[]): Promise<AppendResult> {
    this.assertOpen();
    assertExpectedRevision(expected);
    assertAnyAllowed(stream, expected);
    const prepared = prepareAppend(stream, events, this.now);
    const retry = resolveRetry(
      stream,
      prepared.map((event) => event.id),
      prepared.map((event) => this.byId.get(stream)?.get(event.id) as StoredEventRef | undefined),
    );
    if (retry) return retry;
    const rows = this.streams.get(stream) ?? [];
    const ids = this.byId.get(stream) ?? new Map<string, Row>();
    checkExpectedRevision(stream, expected, rows.length === 0 ? 'no_stream' : BigInt(rows.length - 1));
    for (const event of prepared) {
      const row: Row = {
        ...event,
        stream,
        revision: BigInt(rows.length),
        position: BigInt(this.log.length + 1),
      };
      rows.push(row);
      this.log.push(row);
      ids.set(row.id, row);
    }
    this.streams.set(stream, rows);
    this.byId.set(stream, ids);
    this.signal.notify();
    const last = rows[rows.length - 1];
    return { nextRevision: last.revision, position: last.position };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = options.fromRevision ?? 0n;
    const upToMs = options.recordedUpTo === undefined ? undefined : parseRecordedUpTo(options.recordedUpTo);
    const rows = this.streams.get(stream) ?? [];
    // As of a moment, the stream up to its first event recorded after it: a prefix (`ReadStreamOptions`).
    const firstLater = upToMs === undefined ? -1 : rows.findIndex((row) => row.recordedAtMs > upToMs);
    const selected = (firstLater === -1 ? rows : rows.slice(0, firstLater)).filter(
      (row) => row.revision >= from && (options.toRevision === undefined || row.revision <= options.toRevision),
    );
    return this.toEvents(options.maxCount === undefined ? selected : selected.slice(0, options.maxCount));
  }

  /** Without the metadata, as the SQLite adapter reads it: so that a reader that looks at it fails here too. */
  override async readStreamData(stream: string, options: ReadStreamOptions = {}): Promise<StoredEventData[]> {
    return (await this.readStream(stream, options)).map(({ metadata: _metadata, ...event }) => event);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readAfter(options.after ?? 0n, options.maxCount ?? 1000);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return BigInt(this.log.length);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      (after, max) => this.readAfter(after, max),
      this.signal,
      options,
    );
    this.subscriptions.add(subscription);
    void subscription.ended.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.closed = true;
  }

  private readAfter(after: bigint, maxCount: number): StoredEvent[] {
    const start = after < 0n ? 0 : Number(after);
    return this.toEvents(this.log.slice(start, start + maxCount));
  }

  private toEvents(rows: Row[]): StoredEvent[] {
    return this.upcasters.upcastAll(rows.map(parseStoredEvent));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('the memory event store is closed');
  }
}
