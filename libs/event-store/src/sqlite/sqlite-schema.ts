import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** `FULL` makes every commit durable on power loss; `NORMAL` in WAL mode only risks the last commits. */
export const SQLITE_SYNCHRONOUS_MODES = ['FULL', 'NORMAL', 'EXTRA', 'OFF'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

/** Throws unless `mode` is one of `SQLITE_SYNCHRONOUS_MODES` (it is spliced into a pragma). */
export function assertSynchronousMode(mode: string): asserts mode is SqliteSynchronous {
  if (!(SQLITE_SYNCHRONOUS_MODES as readonly string[]).includes(mode)) throw new Error(`unknown synchronous mode ${mode}`);
}

export interface SqliteConnectionOptions {
  /** Default `FULL`: a ledger must not lose an acknowledged command. */
  synchronous?: SqliteSynchronous;
  /** How long a write waits for another process's write lock before failing. Default 5,000 ms. */
  busyTimeoutMs?: number;
  /**
   * Pages the write-ahead log may hold before a commit checkpoints it into the database file (SQLite's
   * `wal_autocheckpoint`). Default 10,000 (about 40 MB), against SQLite's 1,000.
   *
   * The checkpoint runs inside the commit that passes the limit, on the thread that committed: the
   * command path's. Appends touch random index pages, so at a few thousand commands a second the
   * 1,000-page default checkpointed four or five times a second, each copying the frames back and
   * syncing the database file. Ten times the room lets a page changed several times between two
   * checkpoints be copied once: commands in process went from about 3,430 to 3,870 a second (five
   * alternated runs each) and the statement day by a similar share. Durability is the WAL's either way.
   *
   * The price: one checkpoint copies more, so the longest commits are longer (the worst group commit in
   * 5 s of commands rose from 44-67 ms to 63-126 ms while those over 20 ms became fewer), and the `-wal`
   * file keeps the size it reached (about 40 MB; SQLite reuses it rather than truncating it). SQLite's
   * 0, never checkpoint on commit, is refused: with a checkpointer thread (`SqliteEventStoreOptions.
   * checkpoints`) this limit is the backstop should the thread stop, and without one nothing else
   * checkpoints the log. The app sets it from LEDGER_SQLITE_WAL_AUTOCHECKPOINT.
   */
  walAutocheckpointPages?: number;
}

/** `SqliteConnectionOptions.walAutocheckpointPages`'s default. */
export const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * `walAutocheckpointPages`'s default when a checkpointer thread copies the log (`SqliteEventStoreOptions.
 * checkpoints`): about 400 MB. The thread makes the log start over from 10,000 frames (`RESTART_AT_FRAMES`),
 * so it reaches this only should the thread stop, or a reader hold old frames for minutes.
 */
export const BACKSTOP_WAL_AUTOCHECKPOINT_PAGES = 100_000;

/**
 * 2: event ids are unique within their stream (`UNIQUE (stream, id)`), no longer across the whole log
 * (`id ... UNIQUE`). See `EVENTS_COLUMNS`, and `migrateEventIdIndex` for files of version 1.
 */
export const SCHEMA_VERSION = 2;

/**
 * The event log's columns. `position` is the rowid, so SQLite hands out max + 1 inside the write
 * transaction: positions are gapless even across processes sharing the file, and a rolled-back append
 * leaves no hole. The unique (stream, revision) index answers "last revision of this stream" and stream
 * reads; the unique (stream, id) index answers "is this append a retry" (`SqliteWriter`).
 *
 * Ids are recognised within their stream, as EventStoreDB recognises them. An index on the id alone
 * made every insert land on a random leaf (the ids are hashes), and at a few million events that
 * page's read and write cost more than the rest of the append: 5 events into each of 30,000 streams of
 * a 3,000,000-event log took 168 to 217 µs of CPU per stream with it, 85 to 103 with (stream, id), in
 * alternated runs, and the statement day of 30,000 accounts 17% less time (bench/HISTORY.md,
 * seventeenth round). The ledger's own ids already name their stream (`eventIdOf` hashes the account
 * id into each).
 * `recorded_at` is epoch milliseconds (the ISO text stays in metadata) so point-in-time reads compare
 * instants whatever offset the writer used.
 */
const EVENTS_COLUMNS = `
    position       INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL,
    stream         TEXT    NOT NULL,
    revision       INTEGER NOT NULL CHECK (revision >= 0),
    type           TEXT    NOT NULL CHECK (length(type) > 0),
    schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
    data           TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    recorded_at    INTEGER NOT NULL,
    UNIQUE (stream, revision),
    UNIQUE (stream, id)`;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (${EVENTS_COLUMNS}
  );
  CREATE TABLE IF NOT EXISTS snapshots (
    stream         TEXT    PRIMARY KEY,
    revision       INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    state          TEXT    NOT NULL,
    saved_at       TEXT    NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS snapshot_parts (
    stream         TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    revision       INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    text           TEXT    NOT NULL,
    PRIMARY KEY (stream, name)
  ) WITHOUT ROWID;
`;

/** Whether the events table still has version 1's unique index on the id alone. */
function hasLogWideIdIndex(db: Database.Database): boolean {
  const indexes = db.prepare(`SELECT name FROM pragma_index_list('events') WHERE "unique" = 1`).pluck().all() as string[];
  return indexes.some((name) => {
    const columns = db.prepare(`SELECT name FROM pragma_index_info(?)`).pluck().all(name) as string[];
    return columns.length === 1 && columns[0] === 'id';
  });
}

/**
 * How long an open waits for another connection's rewrite of the same file (below) before it fails: a
 * projector or a CLI command started beside the API must wait for it, not fail after the usual busy
 * timeout. The rewrite takes about 15 to 23 s per million events here.
 */
const REWRITE_WAIT_MS = 30 * 60 * 1000;

/**
 * Rewrites a version-1 events table into version 2's, in one transaction that holds the write lock:
 * SQLite cannot drop a column's UNIQUE constraint in place, so the rows are copied, positions and all,
 * into a new table that takes the old one's name, and the schema version is written with them (a build
 * that knows only version 1 then refuses the file). Another connection may be doing it or have done it,
 * so this one waits for the lock as long as a rewrite may take and checks again under it. The copy
 * passes through the write-ahead log, so the rewrite needs free disk for twice the table's size; the
 * file keeps the old table's pages as free pages, which later appends reuse (VACUUM gives them back).
 * Says on stderr when it starts and ends (a process log may not be set up yet): on a large ledger an
 * operator sees why the first start takes minutes.
 */
function migrateEventIdIndex(db: Database.Database, path: string): void {
  if (!hasLogWideIdIndex(db)) return;
  const migrate = db.transaction((): boolean => {
    if (!hasLogWideIdIndex(db)) return false;
    const started = Date.now();
    process.stderr.write(`ledger: ${path}: rewriting the events table for schema version ${SCHEMA_VERSION} (event ids unique within their stream)\n`);
    const columns = 'position, id, stream, revision, type, schema_version, data, metadata, recorded_at';
    db.exec(`
      CREATE TABLE events_version_2 (${EVENTS_COLUMNS}
      );
      INSERT INTO events_version_2 (${columns}) SELECT ${columns} FROM events ORDER BY position;
      DROP TABLE events;
      ALTER TABLE events_version_2 RENAME TO events;
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    process.stderr.write(`ledger: ${path}: events table rewritten in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return true;
  });
  const busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma(`busy_timeout = ${Math.max(busyTimeout, REWRITE_WAIT_MS)}`);
  let rewrote: boolean;
  try {
    rewrote = migrate.immediate();
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
  // The rewrite went through the write-ahead log whole: copy it into the file now and give its space
  // back, rather than leave a log as large as the table (best effort, with the usual wait: a reader may
  // hold it open).
  if (rewrote) db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Opens (creating the folder and schema if needed) a ledger database with durable settings. */
export function openLedgerDatabase(path: string, options: SqliteConnectionOptions = {}): Database.Database {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    db.pragma('journal_mode = WAL');
    const synchronous = options.synchronous ?? 'FULL';
    assertSynchronousMode(synchronous);
    db.pragma(`synchronous = ${synchronous}`);
    const checkpointPages = options.walAutocheckpointPages ?? DEFAULT_WAL_AUTOCHECKPOINT_PAGES;
    if (!(Number.isSafeInteger(checkpointPages) && checkpointPages >= 1))
      throw new Error(`walAutocheckpointPages must be a positive integer, got ${checkpointPages}`);
    db.pragma(`wal_autocheckpoint = ${checkpointPages}`);
    db.defaultSafeIntegers(true);
    const version = Number(db.pragma('user_version', { simple: true }));
    const newer = newerSchema(path, version);
    if (newer) throw newer;
    db.exec(SCHEMA);
    if (version < SCHEMA_VERSION) migrateEventIdIndex(db, path);
    // Only when it changes: writing it needs the write lock, which another connection may hold (the
    // writer thread's connection opens while the main one, or another process, commits). `SCHEMA` writes
    // only where a table is missing: the first open by a build that added one (`snapshot_parts`, which
    // the builds before it ignore, so it needs no new version).
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A log a newer build has written (a rollback past a schema version): this build cannot read it, and must
 * not write it. A start refuses it as it refuses a wrong setting (exit code 78, one line): the way back
 * is the newer build, or the backup taken before the upgrade (docs/runbook.md, Upgrading).
 */
export class LogOfNewerBuildError extends Error {
  readonly code = 'LOG_OF_NEWER_BUILD';
  constructor(
    readonly path: string,
    readonly version: number,
  ) {
    super(`${path} has schema version ${version}; this build knows up to ${SCHEMA_VERSION}: a newer build wrote it. Run that build, or restore the backup taken before the upgrade (docs/runbook.md, Upgrading)`);
    this.name = 'LogOfNewerBuildError';
  }
}

/** The refusal of a log whose recorded schema version (`user_version`) a newer build wrote, or undefined: for each place that opens one. */
export function newerSchema(path: string, version: number): LogOfNewerBuildError | undefined {
  return version > SCHEMA_VERSION ? new LogOfNewerBuildError(path, version) : undefined;
}

/**
 * `LIMIT <parameter>`, written so that binding the parameter does not make SQLite prepare the statement
 * again. SQLite reads the value bound to a bare LIMIT parameter while it prepares a statement (to plan
 * for that many rows) and marks the statement stale whenever that parameter is bound again, so every
 * run of it re-prepared it: about 11 µs on a trivial query here and 22 µs on a stream read, whose empty
 * read after a snapshot took 30 µs instead of 8 (`sqlite3ExprIsInteger`, case `TK_VARIABLE`, in the
 * SQLite that better-sqlite3 builds). SQLite does not read an expression over the parameter that way;
 * its value and meaning are the same (-1 is no limit). A test keeps bare ones out of apps/ and libs/.
 */
export function limitBy(parameter: string): string {
  return `LIMIT (${parameter} + 0)`;
}

/** The sqlite error codes that mean "try again later" rather than "this request is wrong". */
export function isTransientSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/.test(code);
}
