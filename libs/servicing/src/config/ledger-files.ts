/**
 * The files a ledger process opens, checked before it opens them: opening SQLite creates what is not
 * there, so a read-model path set to the event log would write thirteen projection tables into the log
 * (and the restore procedure, which deletes the read-model file, would then delete the log), and a log
 * path set to the read models would add an empty event log to them and serve it as ready. A file that
 * cannot be opened stops the start with the variable and the path named, not a stack trace; so does one
 * the process will write and cannot (a backup restored, or read models rebuilt, as another user): SQLite
 * opens such a file read-only without a word, and the process reported ready and failed every write.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { newerSchema } from '@ledger/event-store';
import { ConfigError, type LedgerConfig } from './ledger-config';

/** What a path holds: nothing yet, or an SQLite file's tables and the schema version it records. */
function lookAt(variable: string, path: string): { tables: string[]; version: number } | null {
  if (!existsSync(path)) {
    // Its folder is created at open; a file where a folder should be cannot be.
    for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
      if (existsSync(dir)) {
        if (!statSync(dir).isDirectory()) throw new ConfigError(variable, `cannot create ${path}: ${dir} is a file, not a folder`);
        return null;
      }
      if (dirname(dir) === dir) return null;
    }
  }
  if (statSync(path).isDirectory()) throw new ConfigError(variable, `${path} is a folder, not a file`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).sort();
    return { tables, version: Number(db.pragma('user_version', { simple: true })) };
  } catch (error) {
    const hint = variable === 'LEDGER_READ_MODEL_PATH' ? ' (the read models can be deleted: they are rebuilt from the log at start)' : '';
    throw new ConfigError(variable, `cannot open ${path}: ${(error as Error).message}${hint}`);
  } finally {
    db?.close();
  }
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/** Whether this process may write `path` (`access(2)`: its user, groups and mode, a read-only mount). */
function writableByThisProcess(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A file the process will write: it, its `-wal` and `-shm` where they exist, and the folder SQLite makes
 * them in (the nearest that exists, when the file is new) must be writable by this process.
 */
function assertWritable(variable: string, path: string, canWrite: (path: string) => boolean): void {
  const who = typeof process.getuid === 'function' ? `this process (uid ${process.getuid()})` : 'this process';
  // A link is followed, as SQLite follows it: the -wal and -shm files are made beside the file it names.
  const file = existsSync(path) ? realpathSync(path) : resolve(path);
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(each) || canWrite(each)) continue;
    const { uid, mode } = statSync(each);
    throw new ConfigError(variable, `${each} is not writable by ${who}: it is owned by uid ${uid} with mode ${(mode & 0o777).toString(8)} (restored or rebuilt as another user? give it to the user the ledger runs as), and SQLite would open it read-only and fail every write`);
  }
  let dir = dirname(file);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!canWrite(realpathSync(dir))) throw new ConfigError(variable, `the folder ${dir} is not writable by ${who}: SQLite makes ${path} and its -wal and -shm files there`);
}

/** What the process writes: the API the log (and the read models when it runs the projections), a projector the read models. */
export interface LedgerFileWrites {
  projector?: boolean;
  /** Whether the process may write a path (tests give their own). */
  canWrite?: (path: string) => boolean;
}

/**
 * Throws a `ConfigError` naming the variable when the event log or the read-model file is not what its
 * variable says, or is one this process will write and cannot.
 */
export function assertLedgerFiles(config: LedgerConfig, writes: LedgerFileWrites = {}): void {
  const readModels = config.store !== 'memory' ? config.readModelPath : null;
  if (config.store === 'sqlite') {
    if (readModels !== null && samePath(config.sqlitePath, readModels)) {
      throw new ConfigError('LEDGER_READ_MODEL_PATH', `is the event log's file (${readModels}): the read models need a file of their own (unset it for the default beside the log)`);
    }
    const log = lookAt('LEDGER_SQLITE_PATH', config.sqlitePath);
    const tables = log?.tables ?? [];
    if (tables.length > 0 && !tables.includes('events')) {
      throw new ConfigError('LEDGER_SQLITE_PATH', `${config.sqlitePath} holds no event log (its tables: ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}): is it the read-model file?`);
    }
    // A log a newer build wrote (a rollback past its schema version): refused here, before the app is
    // built, where the store's own refusal would come out of Nest's injector as a stack trace.
    const newer = log && newerSchema(config.sqlitePath, log.version);
    if (newer) throw new ConfigError('LEDGER_SQLITE_PATH', newer.message);
  }
  if (readModels !== null) {
    if (lookAt('LEDGER_READ_MODEL_PATH', readModels)?.tables.includes('events')) {
      throw new ConfigError('LEDGER_READ_MODEL_PATH', `${readModels} holds an event log: is it the log (LEDGER_SQLITE_PATH)? The read models must be a file of their own`);
    }
  }
  const canWrite = writes.canWrite ?? writableByThisProcess;
  if (config.store === 'sqlite' && !writes.projector) assertWritable('LEDGER_SQLITE_PATH', config.sqlitePath, canWrite);
  // An API beside a projector (LEDGER_PROJECTIONS=0) only reads them.
  if (readModels !== null && (writes.projector || config.projections || config.projectionsWorker)) assertWritable('LEDGER_READ_MODEL_PATH', readModels, canWrite);
}

/**
 * What to tell an operator when SQLite finds a ledger file damaged (a copy made over it while a process
 * had it open, a disk fault): which files it may be and what to do, or null for any other error. Which
 * of the two, `PRAGMA quick_check` on each says; finding out here would read the whole log.
 */
export function damagedFileNote(error: unknown, config: Pick<LedgerConfig, 'store' | 'sqlitePath' | 'readModelPath'>): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB') return null;
  const files = config.store === 'sqlite' ? `the event log ${config.sqlitePath} or the read models ${config.readModelPath}` : `the read models ${config.readModelPath}`;
  return `${files} is damaged (${code}: ${(error as Error).message}). Find which with sqlite3 <file> 'PRAGMA quick_check'; the read models can be deleted (they are rebuilt from the log), a damaged log is restored from a backup (docs/runbook.md, Restore and verify)`;
}
