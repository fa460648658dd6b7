import type Database from 'better-sqlite3';
import { checkExpectedRevision, resolveRetry, type StoredEventRef } from '../append-rules';
import { type AppendResult, ConcurrencyError, EventIdCollisionError, type ExpectedRevision } from '../event-store.port';
import type { PreparedEvent } from '../serialization';
import type { Outcome } from './group-commit';

/** One append of a group: checked and serialized already (`prepareAppend`). */
export interface AppendRequest {
  kind: 'append';
  stream: string;
  expected: ExpectedRevision;
  events: PreparedEvent[];
}

/** One snapshot to keep beside the log (see `SqliteSnapshotStore`), in the same group as the appends. */
export interface SnapshotRequest {
  kind: 'snapshot';
  stream: string;
  revision: bigint;
  schemaVersion: number;
  /** JSON text of the state. */
  state: string;
  /** Parts kept with it (`SnapshotStore.saveText`), each in a row of `snapshot_parts`. */
  parts?: readonly { name: string; text: string }[];
  savedAt: string;
}

export type WriteRequest = AppendRequest | SnapshotRequest;
/** An append's result, or whether a snapshot was kept. */
export type WriteResult = AppendResult | boolean;

/** Keeps a snapshot unless a later one of the same schema version is kept (two writers must not move it back). */
const UPSERT_SNAPSHOT_SQL = `INSERT INTO snapshots (stream, revision, schema_version, state, saved_at)
   VALUES (@stream, @revision, @schemaVersion, @state, @savedAt)
   ON CONFLICT (stream) DO UPDATE SET
     revision = excluded.revision, schema_version = excluded.schema_version,
     state = excluded.state, saved_at = excluded.saved_at
   WHERE excluded.revision >= snapshots.revision OR excluded.schema_version <> snapshots.schema_version`;

/** Keeps a part of a snapshot that was kept: the snapshot names it at this revision, so it replaces whatever was kept under its name. */
const UPSERT_SNAPSHOT_PART_SQL = `INSERT INTO snapshot_parts (stream, name, revision, schema_version, text)
   VALUES (@stream, @name, @revision, @schemaVersion, @text)
   ON CONFLICT (stream, name) DO UPDATE SET
     revision = excluded.revision, schema_version = excluded.schema_version, text = excluded.text`;

export interface SnapshotStatements {
  snapshot: Database.Statement;
  part: Database.Statement;
}

export function prepareSnapshotStatements(db: Database.Database): SnapshotStatements {
  return { snapshot: db.prepare(UPSERT_SNAPSHOT_SQL), part: db.prepare(UPSERT_SNAPSHOT_PART_SQL) };
}

/**
 * Keeps a snapshot and its parts (`SnapshotRequest`), in whatever transaction the caller runs it in, and
 * says whether it was kept. One refused because a later one is kept keeps none of its parts either:
 * they could replace parts the kept one uses.
 *
 * The parts a snapshot uses (`SnapshotStore.saveText`) are not checked here: a row of `snapshot_parts`
 * is replaced only by a later snapshot's save, never dropped, and a reader checks the revision of each
 * part it reads. Checking them (a query joining the snapshot's list to the table) cost about 2.5 ms a
 * snapshot, twenty-five times the rest of its save.
 */
export function upsertSnapshot(statements: SnapshotStatements, { stream, revision, schemaVersion, state, parts = [], savedAt }: SnapshotRequest): boolean {
  if (statements.snapshot.run({ stream, revision, schemaVersion, state, savedAt }).changes === 0) return false;
  for (const { name, text } of parts) statements.part.run({ stream, name, revision, schemaVersion, text });
  return true;
}

/**
 * The write side of the event log on one connection: commits a group of appends and snapshots in one
 * IMMEDIATE transaction, each request in its own savepoint, so one append's conflict or failure rolls back
 * that append only. Synchronous (better-sqlite3 is): `SqliteEventStore` runs it on its own thread, or on
 * the writer thread (`sqlite-writer-thread`) with a connection of that thread's own.
 */
export class SqliteWriter {
  private readonly statements: ReturnType<typeof prepareWriteStatements>;
  private readonly commitGroup: Database.Transaction<(requests: WriteRequest[]) => Outcome<WriteResult>[]>;

  constructor(db: Database.Database) {
    this.statements = prepareWriteStatements(db);
    const inSavepoint = db.transaction((request: WriteRequest): WriteResult => this.write(request));
    this.commitGroup = db.transaction((requests: WriteRequest[]) =>
      requests.map((request): Outcome<WriteResult> => {
        try {
          return { ok: true, value: inSavepoint(request) };
        } catch (error) {
          // Some failures (an I/O error, a full disk) make SQLite roll back the whole transaction, not
          // the savepoint: the group is lost whole, and a request run after it would commit on its own.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  /**
   * One outcome per request, in order. Throws if the transaction itself fails (the write lock not had in
   * time, the disk full): then nothing of the group was committed.
   */
  commit(requests: WriteRequest[]): Outcome<WriteResult>[] {
    // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
    return this.commitGroup.immediate(requests);
  }

  private write(request: WriteRequest): WriteResult {
    if (request.kind === 'snapshot') {
      return upsertSnapshot(this.statements.snapshots, request);
    }
    return this.append(request);
  }

  /** One append: the retry check first, then the revision check. */
  private append({ stream, expected, events }: AppendRequest): AppendResult {
    const retry = resolveRetry(
      stream,
      events.map((event) => event.id),
      events.map((event) => this.statements.findInStream.get(stream, event.id) as StoredEventRef | undefined),
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
}

function prepareWriteStatements(db: Database.Database) {
  return {
    findInStream: db.prepare(`SELECT id, revision, position FROM events WHERE stream = ? AND id = ?`),
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
    snapshots: prepareSnapshotStatements(db),
  };
}

/** An error as it crosses from the writer thread: what the main thread needs to raise the same error. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stream?: string;
  expected?: ExpectedRevision;
  actual?: bigint | 'no_stream';
  eventIds?: string[];
  reason?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ConcurrencyError) {
    return { name: error.name, message: error.message, code: error.code, stream: error.stream, expected: error.expected, actual: error.actual };
  }
  if (error instanceof EventIdCollisionError) {
    return { name: error.name, message: error.message, code: error.code, stream: error.stream, eventIds: [...error.eventIds], reason: error.reason };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * The error the writer thread reported, as the class the inline writer would have thrown: the store's own
 * errors with their fields, anything else (a SqliteError) as an Error with the same name, message and code.
 */
export function deserializeError(serialized: SerializedError): Error {
  if (serialized.name === 'ConcurrencyError' && serialized.stream !== undefined && serialized.expected !== undefined && serialized.actual !== undefined) {
    return new ConcurrencyError(serialized.stream, serialized.expected, serialized.actual);
  }
  if (serialized.name === 'EventIdCollisionError' && serialized.stream !== undefined && serialized.eventIds && serialized.reason !== undefined) {
    return new EventIdCollisionError(serialized.stream, serialized.eventIds, serialized.reason);
  }
  const error = new Error(serialized.message) as Error & { code?: string };
  error.name = serialized.name;
  if (serialized.code !== undefined) error.code = serialized.code;
  return error;
}
