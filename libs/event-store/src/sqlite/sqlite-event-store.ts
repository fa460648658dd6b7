import type Database from 'better-sqlite3';
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
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import {
  parseRecordedUpTo,
  parseStoredEvent,
  type PreparedEvent,
  prepareAppend,
} from '../serialization';
import { SqliteSnapshotStore } from '../snapshots/sqlite-snapshot-store';
import { AppendSignal, CatchUpSubscription } from '../subscription/catch-up-subscription';
import { Upcasters } from '../upcasters';
import { GroupCommit, type Outcome } from './group-commit';
import { isTransientSqliteError, openLedgerDatabase, type SqliteConnectionOptions } from './sqlite-schema';

export interface SqliteEventStoreOptions extends EventStoreOptions, SqliteConnectionOptions {
  /** The wall clock that fills `metadata.recordedAt` when the writer left it out. */
  now?: () => Date;
  /** How often live subscriptions look for appends made by other processes. Default 250 ms. */
  pollIntervalMs?: number;
  /** Told the number of appends in each committed group (for metrics). */
  onGroupCommitted?(appends: number): void;
}

interface AppendRequest {
  stream: string;
  expected: ExpectedRevision;
  events: PreparedEvent[];
}

const MAX_REVISION = 2n ** 63n - 1n;
const COLUMNS = 'id, stream, revision, position, type, schema_version, data, metadata';
type RawRow = [string, string, bigint, bigint, string, bigint | number, string, string];

/**
 * The embedded default store: one sqlite file in WAL mode with durable commits, and group commit so that
 * concurrent appends share one transaction (and one fsync). Each append of a group runs in its own
 * savepoint, so one append's conflict or failure rolls back that append only.
 */
export class SqliteEventStore extends EventStore {
  readonly db: Database.Database;
  private readonly upcasters: Upcasters;
  private readonly now: () => Date;
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly group: GroupCommit<AppendRequest, AppendResult>;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly options: SqliteEventStoreOptions = {},
  ) {
    super();
    this.db = openLedgerDatabase(path, options);
    this.upcasters = options.upcasters ?? new Upcasters();
    this.now = options.now ?? (() => new Date());
    this.statements = prepareStatements(this.db);
    const appendInSavepoint = this.db.transaction((request: AppendRequest) => this.appendNow(request));
    const commitGroup = this.db.transaction((requests: AppendRequest[]) =>
      requests.map((request): Outcome<AppendResult> => {
        try {
          return { ok: true, value: appendInSavepoint(request) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    this.group = new GroupCommit(
      (requests) => {
        // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
        const outcomes = commitGroup.immediate(requests);
        if (outcomes.some((outcome) => outcome.ok)) this.signal.notify();
        this.reportGroup(requests.length);
        return outcomes;
      },
      (error) =>
        isTransientSqliteError(error) ? new StoreUnavailableError('sqlite commit failed', error) : error,
    );
  }

  async append(stream: string, expected: ExpectedRevision, events: NewEvent[]): Promise<AppendResult> {
    this.assertOpen();
    assertExpectedRevision(expected);
    assertAnyAllowed(stream, expected);
    return this.group.submit({ stream, expected, events: prepareAppend(stream, events, this.now) });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const rows = this.statements.readStream.all({
      stream,
      from: options.fromRevision ?? 0n,
      to: options.toRevision ?? MAX_REVISION,
      upTo:
        options.recordedUpTo === undefined
          ? Number.MAX_SAFE_INTEGER
          : parseRecordedUpTo(options.recordedUpTo),
      limit: options.maxCount ?? -1,
    });
    return this.toEvents(rows);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readAfter(options.after ?? 0n, options.maxCount ?? 1000);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.statements.head.get() as bigint;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      (after, max) => this.readAfter(after, max),
      this.signal,
      options,
      {
        pollIntervalMs: this.options.pollIntervalMs ?? 250,
      },
    );
    this.subscriptions.add(subscription);
    void subscription.ended.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /** A snapshot store in the same file, on the same connection. */
  snapshotStore(): SqliteSnapshotStore {
    return new SqliteSnapshotStore(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.group.flush();
    this.closed = true;
    this.db.close();
  }

  private reportGroup(appends: number): void {
    try {
      this.options.onGroupCommitted?.(appends);
    } catch {
      // The group is committed: a failing metrics hook must not turn its appends into errors.
    }
  }

  /** One append, inside the group's transaction: the retry check first, then the revision check. */
  private appendNow({ stream, expected, events }: AppendRequest): AppendResult {
    const retry = resolveRetry(
      stream,
      events.map((event) => event.id),
      events.map((event) => this.statements.findById.get(event.id) as StoredEventRef | undefined),
    );
    if (retry) return retry;
    const last = this.statements.lastRevision.get(stream) as bigint | undefined;
    checkExpectedRevision(stream, expected, last ?? 'no_stream');
    let revision = last === undefined ? 0n : last + 1n;
    let position = 0n;
    for (const event of events) {
      position = this.statements.insert.get({ ...event, stream, revision }) as bigint;
      revision += 1n;
    }
    return { nextRevision: revision - 1n, position };
  }

  private readAfter(after: bigint, maxCount: number): StoredEvent[] {
    return this.toEvents(this.statements.readAll.all(after, maxCount));
  }

  /** Rows of `COLUMNS`, read in raw mode: better-sqlite3 then builds an array per row rather than an object with keys. */
  private toEvents(rows: unknown[]): StoredEvent[] {
    return this.upcasters.upcastAll(
      (rows as RawRow[]).map(([id, stream, revision, position, type, schemaVersion, data, metadata]) =>
        parseStoredEvent({
          id,
          stream,
          revision,
          position,
          type,
          schemaVersion: Number(schemaVersion),
          data,
          metadata,
        }),
      ),
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`the sqlite event store ${this.path} is closed`);
  }
}

function prepareStatements(db: Database.Database) {
  return {
    findById: db.prepare(`SELECT id, stream, revision, position FROM events WHERE id = ?`),
    lastRevision: db
      .prepare(`SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1`)
      .pluck(),
    insert: db
      .prepare(
        `INSERT INTO events (id, stream, revision, type, schema_version, data, metadata, recorded_at)
         VALUES (@id, @stream, @revision, @type, @schemaVersion, @data, @metadata, @recordedAtMs)
         RETURNING position`,
      )
      .pluck(),
    readStream: db
      .prepare(
        `SELECT ${COLUMNS} FROM events
       WHERE stream = @stream AND revision BETWEEN @from AND @to AND recorded_at <= @upTo
       ORDER BY revision LIMIT @limit`,
      )
      .raw(true),
    readAll: db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
      .raw(true),
    head: db.prepare(`SELECT coalesce(max(position), 0) FROM events`).pluck(),
  };
}
