import type Database from 'better-sqlite3';
import { assertAnyAllowed, assertExpectedRevision } from '../append-rules';
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
  parseEventColumn,
  parseStoredEvent,
  prepareAppend,
} from '../serialization';
import { SqliteSnapshotStore } from '../snapshots/sqlite-snapshot-store';
import { AppendSignal, CatchUpSubscription } from '../subscription/catch-up-subscription';
import { Upcasters } from '../upcasters';
import { GroupCommit } from './group-commit';
import { type CheckpointerHooks, DEFAULT_CHECKPOINT_INTERVAL_MS, SqliteCheckpointer } from './sqlite-checkpointer';
import {
  assertSynchronousMode,
  BACKSTOP_WAL_AUTOCHECKPOINT_PAGES,
  DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  isTransientSqliteError,
  limitBy,
  openLedgerDatabase,
  type SqliteConnectionOptions,
  type SqliteSynchronous,
} from './sqlite-schema';
import { SqliteWriter, type WriteRequest, type WriteResult } from './sqlite-writer';
import { SqliteWriterHost } from './sqlite-writer-host';

/** SQLite's codes for a write the file system refused: full, an I/O error, read-only, or not to be opened. */
const DISK_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/;

export interface SqliteEventStoreOptions extends EventStoreOptions, SqliteConnectionOptions, CheckpointerHooks {
  /** The wall clock that fills `metadata.recordedAt` when the writer left it out. */
  now?: () => Date;
  /** How often live subscriptions look for appends made by other processes. Default 250 ms. */
  pollIntervalMs?: number;
  /** Told the number of appends in each committed group (for metrics). */
  onGroupCommitted?(appends: number): void;
  /**
   * Where groups are committed: `inline` (the default) on the thread that appends, or `thread` on a
   * writer thread with a connection of its own, so that the inserts, the fsync and the WAL's checkpoints
   * leave the thread that decides commands. Reads stay on this thread's connection either way.
   */
  writer?: SqliteWriterMode;
  /**
   * Who copies the write-ahead log into the database file. `commit` (the default here; the app's
   * configuration defaults to `thread`): the commit that passes `walAutocheckpointPages`, on the thread
   * that commits, which then takes as long as the copy (170 to 350 ms in the 14 GB log of 100,000
   * accounts). `thread`: a checkpointer thread with a connection of its own (`sqlite-checkpointer-thread`),
   * every `checkpointIntervalMs`, so that commits only append, save for a short wait each time it makes
   * the log start over; the committing connection's `walAutocheckpointPages` then defaults to
   * `BACKSTOP_WAL_AUTOCHECKPOINT_PAGES`. Durability is the same: the log is synced before each copy and
   * the file after, whoever copies.
   */
  checkpoints?: SqliteCheckpointMode;
  /** How often the checkpointer thread checkpoints (`checkpoints: 'thread'`). Default 100 ms. */
  checkpointIntervalMs?: number;
}

export type SqliteWriterMode = 'inline' | 'thread';
export type SqliteCheckpointMode = 'commit' | 'thread';

/** `walAutocheckpointPages`'s default for `checkpoints`: the backstop beside a checkpointer thread. */
export function defaultWalAutocheckpointPages(checkpoints: SqliteCheckpointMode): number {
  return checkpoints === 'thread' ? BACKSTOP_WAL_AUTOCHECKPOINT_PAGES : DEFAULT_WAL_AUTOCHECKPOINT_PAGES;
}

const MAX_REVISION = 2n ** 63n - 1n;
const MAX_REVISION_SQL = MAX_REVISION.toString();
const COLUMNS = 'id, stream, revision, position, type, schema_version, data, metadata';
type RawRow = [string, string, bigint, bigint, string, bigint | number, string, string];
const DATA_COLUMNS = 'id, revision, position, type, schema_version, data';
type RawDataRow = [string, bigint, bigint, string, bigint | number, string];
const STREAM_RANGE = 'WHERE stream = @stream AND revision BETWEEN @from AND @to ORDER BY revision';
/**
 * `STREAM_RANGE` as of a moment (`recordedUpTo`): the stream up to, not including, its first event recorded
 * after it. A stream is appended in order, so that is a prefix of it, whatever a clock that stepped back
 * wrote in `recorded_at` further on: a replay as of a moment never lacks an event that came before one it has.
 */
const STREAM_RANGE_AS_OF = `WHERE stream = @stream AND revision BETWEEN @from AND @to
  AND revision < coalesce((SELECT min(revision) FROM events AS later WHERE later.stream = @stream AND later.recorded_at > @upTo), ${MAX_REVISION_SQL})
  ORDER BY revision`;

/** `readStream`'s options as the parameters of `STREAM_RANGE` and its limit. */
function streamRange(stream: string, options: ReadStreamOptions) {
  return {
    stream,
    from: options.fromRevision ?? 0n,
    to: options.toRevision ?? MAX_REVISION,
    ...(options.recordedUpTo === undefined ? {} : { upTo: parseRecordedUpTo(options.recordedUpTo) }),
    limit: options.maxCount ?? -1,
  };
}

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
  private readonly group: GroupCommit<WriteRequest, WriteResult>;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly writerThread: SqliteWriterHost | undefined;
  private readonly checkpointer: SqliteCheckpointer | undefined;
  /** Who copies the write-ahead log into the file (`SqliteEventStoreOptions.checkpoints`). */
  readonly checkpoints: SqliteCheckpointMode;
  /** Where groups are committed (`SqliteEventStoreOptions.writer`). */
  readonly writer: SqliteWriterMode;
  private closed = false;
  /** Set when `close` starts: writes are refused from then on, reads until the connection closes. */
  private writesRefused = false;
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly options: SqliteEventStoreOptions = {},
  ) {
    super();
    if (options.writer !== undefined && options.writer !== 'inline' && options.writer !== 'thread')
      throw new Error(`writer must be inline or thread, got ${String(options.writer)}`);
    if (options.checkpoints !== undefined && options.checkpoints !== 'commit' && options.checkpoints !== 'thread')
      throw new Error(`checkpoints must be commit or thread, got ${String(options.checkpoints)}`);
    this.writer = options.writer ?? 'inline';
    this.checkpoints = options.checkpoints ?? 'commit';
    const ownFile = !(path === ':memory:' || path.startsWith('file:'));
    if (this.writer === 'thread' && !ownFile) throw new Error(`writer thread needs a database file both connections can open, not ${path}`);
    if (this.checkpoints === 'thread' && !ownFile) throw new Error(`checkpointer thread needs a database file both connections can open, not ${path}`);
    const intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    if (!(Number.isSafeInteger(intervalMs) && intervalMs >= 1)) throw new Error(`checkpointIntervalMs must be a positive integer, got ${intervalMs}`);
    const connection = connectionOptions({
      ...options,
      walAutocheckpointPages: options.walAutocheckpointPages ?? defaultWalAutocheckpointPages(this.checkpoints),
    });
    this.db = openLedgerDatabase(path, connection);
    this.upcasters = options.upcasters ?? new Upcasters();
    this.now = options.now ?? (() => new Date());
    this.statements = prepareStatements(this.db);
    this.checkpointer =
      this.checkpoints === 'thread' ? new SqliteCheckpointer(path, connection, { intervalMs }, options) : undefined;
    const thread = this.writer === 'thread' ? new SqliteWriterHost(path, connection) : undefined;
    const inline = thread ? undefined : new SqliteWriter(this.db);
    this.writerThread = thread;
    this.group = new GroupCommit(
      (requests) =>
        thread
          ? thread.commit(requests).then((outcomes) => this.committed(requests, outcomes))
          : this.committed(requests, inline!.commit(requests)),
      (error) => this.writeRefused(error),
    );
  }

  /**
   * A write SQLite refused, the whole group's or one append's (a full disk may roll back the transaction,
   * or only the append's savepoint): kept for `lastWriteFailure` with the file named, and a transient
   * one (busy, full, I/O) answered as the store being unavailable.
   */
  private writeRefused(error: unknown): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    const disk = DISK_CODES.test(String(code));
    const message = `commit to ${this.path} failed: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}${disk ? ' (the disk, or a file-size limit, full? the file or its folder not writable?)' : ''}`;
    if (disk) this.writeFailure = { at: Date.now(), message };
    return isTransientSqliteError(error) ? new StoreUnavailableError(`sqlite ${message}`, error) : error;
  }

  async append(stream: string, expected: ExpectedRevision, events: NewEvent[]): Promise<AppendResult> {
    this.assertWritable();
    assertExpectedRevision(expected);
    assertAnyAllowed(stream, expected);
    return this.group.submit({ kind: 'append', stream, expected, events: prepareAppend(stream, events, this.now) }) as Promise<AppendResult>;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.toEvents(this.rangeReads(options).events.all(streamRange(stream, options)));
  }

  /** The stream-range reads `options` call for: as of a moment (`recordedUpTo`), or as the stream stands. */
  private rangeReads(options: ReadStreamOptions) {
    return options.recordedUpTo === undefined ? this.statements.range : this.statements.rangeAsOf;
  }

  /** `readStream` without reading or parsing the metadata column. */
  override async readStreamData(stream: string, options: ReadStreamOptions = {}): Promise<StoredEventData[]> {
    this.assertOpen();
    return this.upcasters.upcastAll(
      (this.rangeReads(options).data.all(streamRange(stream, options)) as RawDataRow[]).map(([id, revision, position, type, schemaVersion, data]) => ({
        id,
        stream,
        revision,
        position,
        type,
        schemaVersion: Number(schemaVersion),
        data: parseEventColumn(data, stream, position, 'data'),
      })),
    );
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readAfter(options.after ?? 0n, options.maxCount ?? 1000);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.statements.head.get() as bigint;
  }

  /**
   * Each stream's first event is its revision 0: found through the (stream, revision) index for the
   * streams under `prefix` (the names from `prefix` up to, not including, `prefix` with its last
   * character's code point plus one: SQLite compares text as UTF-8 bytes, which order as code points
   * do), or by position for every stream; no event parsed.
   */
  override async streamsUpTo(until: bigint, prefix = ''): Promise<string[]> {
    this.assertOpen();
    const upTo = until > MAX_POSITION ? MAX_POSITION : until;
    const end = prefixEnd(prefix);
    if (prefix === '' || end === undefined) {
      const streams = this.statements.streamsUpTo.all(upTo) as string[];
      return prefix === '' ? streams : streams.filter((stream) => stream.startsWith(prefix));
    }
    return this.statements.streamsInRangeUpTo.all(prefix, end, upTo) as string[];
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

  /**
   * A snapshot store in the same file: it reads on this connection and writes through the group commit,
   * so a snapshot shares the transaction (and the fsync) of the appends beside it.
   */
  snapshotStore(): SqliteSnapshotStore {
    return new SqliteSnapshotStore(this.db, async (snapshot) => {
      this.assertWritable();
      return (await this.group.submit(snapshot)) === true;
    });
  }

  /** Whether a checkpointer thread is running (`checkpoints: 'thread'`: it starts with the first commit). */
  get checkpointerRunning(): boolean {
    return this.checkpointer?.running ?? false;
  }

  /** Sets `synchronous` on the connection that writes (the demo's generator uses NORMAL for a while). */
  async setSynchronous(mode: SqliteSynchronous): Promise<void> {
    assertSynchronousMode(mode);
    if (this.writerThread) await this.writerThread.setSynchronous(mode);
    else this.db.pragma(`synchronous = ${mode}`);
  }

  /**
   * Refuses new writes at once, commits what was submitted before, then closes. Every caller gets the
   * same promise, so none returns before the connections are closed.
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.writesRefused = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.group.drain();
    this.closed = true;
    await this.writerThread?.close();
    await this.checkpointer?.close();
    this.db.close();
  }

  /** After a group committed: wakes the live subscriptions, tells the metrics hook, and starts the checkpointer thread if it is not running. */
  private committed<T extends { ok: boolean }>(requests: WriteRequest[], outcomes: T[]): T[] {
    // An append SQLite refused in its savepoint for want of the disk (its insert found it full) failed
    // as a write, not as the append's own conflict; a group with none clears the last failure.
    let refused = false;
    // In place, and only for a failed append: this runs for every group commit.
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i] as { ok: boolean; error?: unknown };
      if (outcome.ok || !isTransientSqliteError(outcome.error)) continue;
      refused = true;
      outcomes[i] = { ...outcomes[i], error: this.writeRefused(outcome.error) };
    }
    if (!refused) this.writeFailure = undefined;
    try {
      this.checkpointer?.committed();
    } catch (error) {
      // The group is committed: a checkpointer that cannot start must not turn its appends into errors
      // (the commit itself copies the log back when it grows past the backstop).
      try {
        this.options.onCheckpointerError?.(error instanceof Error ? error : new Error(String(error)));
      } catch {
        // As for the metrics hook below.
      }
    }
    let appends = 0;
    let appended = false;
    requests.forEach((request, i) => {
      if (request.kind !== 'append') return;
      appends++;
      appended ||= outcomes[i].ok;
    });
    if (appended) this.signal.notify();
    try {
      if (appends > 0) this.options.onGroupCommitted?.(appends);
    } catch {
      // The group is committed: a failing metrics hook must not turn its appends into errors.
    }
    return outcomes;
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

  private assertWritable(): void {
    if (this.writesRefused) throw new StoreUnavailableError(`the sqlite event store ${this.path} is closed`);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`the sqlite event store ${this.path} is closed`);
  }
}

/** What a second connection to the same file needs (the writer thread's): the options are not all cloneable. */
function connectionOptions({ synchronous, busyTimeoutMs, walAutocheckpointPages }: SqliteConnectionOptions): SqliteConnectionOptions {
  return { synchronous, busyTimeoutMs, walAutocheckpointPages };
}

function prepareStatements(db: Database.Database) {
  return {
    // A stream's range, whole events and data alone: as it stands, and as of a moment.
    range: {
      events: db.prepare(`SELECT ${COLUMNS} FROM events ${STREAM_RANGE} ${limitBy('@limit')}`).raw(true),
      data: db.prepare(`SELECT ${DATA_COLUMNS} FROM events ${STREAM_RANGE} ${limitBy('@limit')}`).raw(true),
    },
    rangeAsOf: {
      events: db.prepare(`SELECT ${COLUMNS} FROM events ${STREAM_RANGE_AS_OF} ${limitBy('@limit')}`).raw(true),
      data: db.prepare(`SELECT ${DATA_COLUMNS} FROM events ${STREAM_RANGE_AS_OF} ${limitBy('@limit')}`).raw(true),
    },
    readAll: db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position ${limitBy('?')}`)
      .raw(true),
    head: db.prepare(`SELECT coalesce(max(position), 0) FROM events`).pluck(),
    streamsUpTo: db.prepare('SELECT stream FROM events WHERE position <= ? AND revision = 0 ORDER BY position').pluck(),
    streamsInRangeUpTo: db.prepare('SELECT stream FROM events WHERE stream >= ? AND stream < ? AND revision = 0 AND position <= ? ORDER BY position').pluck(),
  };
}

/** The largest position SQLite stores (a signed 64-bit integer). */
const MAX_POSITION = 2n ** 63n - 1n;

/** The first string after every string that starts with `prefix` (none for an empty prefix or one ending in U+10FFFF). */
function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  return points.join('') + String.fromCodePoint(last + 1);
}
