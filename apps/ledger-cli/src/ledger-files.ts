/**
 * The ledger's files as the CLI opens them: the same configuration as the API (`loadConfig()`, so
 * LEDGER_SQLITE_PATH and LEDGER_READ_MODEL_PATH point both at the same files). Read-only commands open the
 * event store and, for verify, the read-model file read-only; nothing here starts a projection runner.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { type EventStore, newerSchema } from '@ledger/event-store';
import { createProjections, type Db, replayingVersion } from '@ledger/projections';
import { createLedgerEventStore, type LedgerConfig } from '@ledger/servicing';
import { CliError } from './output';

/** Whether the SQLite file at `path` has an `events` table, and the schema version it records, looked at read-only (throws when it is not SQLite). */
function lookAtLog(path: string): { hasEvents: boolean; version: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
    return { hasEvents, version: Number(db.pragma('user_version', { simple: true })) };
  } finally {
    db.close();
  }
}

/** Whether the SQLite file at `path` has an `events` table, looked at read-only (throws when it is not SQLite). */
export function holdsEventLog(path: string): boolean {
  return lookAtLog(path).hasEvents;
}

/**
 * Refuses a file without an `events` table, and a newer build's log (a rollback past its schema: exit
 * 78), looking at it read-only (nothing is written to it).
 */
export function assertEventLog(path: string): void {
  let log: { hasEvents: boolean; version: number };
  try {
    log = lookAtLog(path);
  } catch (error) {
    // Not SQLite ("file is not a database"), a directory, a file that cannot be read.
    throw new CliError(`${path} is not a ledger event log (${(error as Error).message})`);
  }
  if (!log.hasEvents) throw new CliError(`${path} is not a ledger event log (no events table)`);
  const newer = newerSchema(path, log.version);
  if (newer) throw newer;
}

/** Refuses read models that are not this build's: a projection missing, or built at another version. */
function assertCurrentProjections(db: Db, path: string): void {
  const hasCheckpoints = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projection_checkpoints'").get() !== undefined;
  const built = new Map(hasCheckpoints ? (db.prepare('SELECT name, version FROM projection_checkpoints').raw(true).all() as [string, number][]) : []);
  const projections = createProjections();
  // A replay by account under way (an API's start, `ledger rebuild`) marks its projections' versions.
  const rebuilding = projections.filter((p) => built.get(p.name) === replayingVersion(p.version)).map((p) => p.name);
  if (rebuilding.length > 0) {
    throw new CliError(`the read models at ${path} are being rebuilt (${rebuilding.join(', ')}): run verify once the rebuild is done, or pass --no-read-models to check the log alone`);
  }
  const other = projections
    .filter((p) => built.get(p.name) !== p.version)
    .map((p) => (built.has(p.name) ? `${p.name} version ${built.get(p.name)}, this build's ${p.version}` : `${p.name} not built`));
  if (other.length > 0) {
    throw new CliError(`the read models at ${path} are not this build's (${other.join('; ')}): rebuild them (ledger rebuild, or start the API, which does), or pass --no-read-models to check the log alone`);
  }
}

export class LedgerFiles {
  constructor(
    readonly config: LedgerConfig,
    private readonly readModelPathGiven = false,
  ) {}

  /**
   * The event store, on a log that is there: opening the embedded store creates its schema, so a file that
   * holds no event log (the read models, an empty file, not SQLite at all) is refused before it is opened,
   * and is left as it was. The memory store is refused: a new process starts it empty, so `verify` would
   * pass and `gl` balance on nothing.
   */
  openStore(): Promise<EventStore> {
    if (this.config.store === 'memory') {
      throw new CliError('LEDGER_STORE=memory: the memory store holds no events outside the process that wrote them, so there is nothing here to read; point the CLI at the ledger (LEDGER_STORE=sqlite with LEDGER_SQLITE_PATH, or eventstoredb)');
    }
    if (this.config.store === 'sqlite') {
      if (!existsSync(this.config.sqlitePath)) throw new CliError(`no ledger at ${this.config.sqlitePath} (set LEDGER_SQLITE_PATH)`);
      assertEventLog(this.config.sqlitePath);
    }
    return createLedgerEventStore(this.config);
  }

  /**
   * The read models, read-only, or null when the file does not exist beside the log (the checks on them
   * are skipped). A file named by LEDGER_READ_MODEL_PATH that is not there is refused: a mistyped path
   * would otherwise let `verify` pass without looking at the read models. So are read models of another
   * build's projection versions (after an upgrade, before the API's start rebuilt them), whose rows this
   * build cannot read as it writes them.
   */
  openReadModels(): Db | null {
    if (this.config.store === 'memory') return null;
    if (!existsSync(this.config.readModelPath)) {
      if (this.readModelPathGiven) throw new CliError(`no read models at ${this.config.readModelPath} (LEDGER_READ_MODEL_PATH); pass --no-read-models to check the log alone`);
      return null;
    }
    const db = new Database(this.config.readModelPath, { readonly: true, fileMustExist: true });
    try {
      assertCurrentProjections(db, this.config.readModelPath);
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  }

  /** Runs `work` with the store open, closing it however `work` ends. */
  async withStore<T>(work: (store: EventStore) => Promise<T>): Promise<T> {
    const store = await this.openStore();
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }
}
