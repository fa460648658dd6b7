import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from './ledger-config';
import { assertLedgerFiles, damagedFileNote } from './ledger-files';

describe('the files a ledger process opens', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (env: Record<string, string>) => loadConfig({ LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), ...env });
  const withTables = (path: string, ...tables: string[]) => {
    const db = new Database(path);
    for (const table of tables) db.exec(`CREATE TABLE ${table} (x)`);
    db.close();
  };
  const refusal = (env: Record<string, string> = {}) => {
    try {
      assertLedgerFiles(config(env));
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('accepts a new ledger, and a log and read models that are what their variables say', () => {
    expect(refusal()).toBeNull();
    withTables(join(dir, 'ledger.sqlite'), 'events', 'snapshots');
    withTables(join(dir, 'ledger.read-models.sqlite'), 'balances', 'projection_checkpoints');
    expect(refusal()).toBeNull();
    expect(refusal({ LEDGER_SQLITE_PATH: join(dir, 'new', 'deeper', 'ledger.sqlite') })).toBeNull();
  });

  it('refuses read models set to the log file, which would write the projections into the log', () => {
    withTables(join(dir, 'ledger.sqlite'), 'events');
    expect(refusal({ LEDGER_READ_MODEL_PATH: join(dir, 'ledger.sqlite') })).toMatch(/^LEDGER_READ_MODEL_PATH: is the event log's file/);
    expect(refusal({ LEDGER_READ_MODEL_PATH: join(dir, '.', 'ledger.sqlite') })).toMatch(/^LEDGER_READ_MODEL_PATH: is the event log's file/);
  });

  it('refuses a log path that holds the read models, and read models that hold an event log', () => {
    withTables(join(dir, 'ledger.read-models.sqlite'), 'balances', 'projection_checkpoints');
    expect(refusal({ LEDGER_SQLITE_PATH: join(dir, 'ledger.read-models.sqlite'), LEDGER_READ_MODEL_PATH: join(dir, 'rm.sqlite') })).toMatch(
      /^LEDGER_SQLITE_PATH: .*ledger\.read-models\.sqlite holds no event log \(its tables: balances, projection_checkpoints\)/,
    );
    withTables(join(dir, 'other.sqlite'), 'events');
    expect(refusal({ LEDGER_READ_MODEL_PATH: join(dir, 'other.sqlite') })).toMatch(/^LEDGER_READ_MODEL_PATH: .*other\.sqlite holds an event log/);
  });

  it('names the variable and the file when a file cannot be opened or created', () => {
    writeFileSync(join(dir, 'ledger.read-models.sqlite'), 'not a database, just text long enough to have a header that is wrong'.repeat(10));
    expect(refusal()).toMatch(/^LEDGER_READ_MODEL_PATH: cannot open .*ledger\.read-models\.sqlite: file is not a database \(the read models can be deleted/);
    writeFileSync(join(dir, 'plain-file'), '');
    expect(refusal({ LEDGER_SQLITE_PATH: join(dir, 'plain-file', 'ledger.sqlite') })).toMatch(/^LEDGER_SQLITE_PATH: cannot create .*plain-file[/\\]ledger\.sqlite: .*plain-file is a file, not a folder/);
    expect(refusal({ LEDGER_SQLITE_PATH: dir })).toMatch(/^LEDGER_SQLITE_PATH: .* is a folder, not a file/);
  });

  describe('a file the process will write and cannot (restored or rebuilt as another user)', () => {
    const log = () => join(dir, 'ledger.sqlite');
    const readModels = () => join(dir, 'ledger.read-models.sqlite');
    /** The check, with access(2) saying no for the paths given (the suite runs as root, which access lets write anything). */
    const refusalDenying = (denied: string[], env: Record<string, string> = {}, projector = false) => {
      try {
        assertLedgerFiles(config(env), { projector, canWrite: (path) => !denied.includes(path) });
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    };

    it('stops the start naming the log, its owner and mode, rather than open it read-only', () => {
      withTables(log(), 'events');
      expect(refusalDenying([log()])).toMatch(new RegExp(`^LEDGER_SQLITE_PATH: ${log()} is not writable by this process \\(uid \\d+\\): it is owned by uid \\d+ with mode [0-7]{3}`));
      writeFileSync(`${log()}-wal`, '');
      expect(refusalDenying([`${log()}-wal`])).toMatch(/^LEDGER_SQLITE_PATH: .*ledger\.sqlite-wal is not writable/);
      expect(refusalDenying([dir])).toMatch(/^LEDGER_SQLITE_PATH: the folder .* is not writable/);
      // A new ledger in folders still to be made: the nearest one that exists is where they are made.
      expect(refusalDenying([dir], { LEDGER_SQLITE_PATH: join(dir, 'new', 'ledger.sqlite') })).toMatch(/^LEDGER_SQLITE_PATH: the folder .* is not writable/);
      expect(refusalDenying([])).toBeNull();
    });

    it('follows a link to the file it names, as SQLite does: the folder that counts is the file’s, not the link’s', () => {
      const real = join(dir, 'volume');
      const links = join(dir, 'links');
      mkdirSync(real);
      mkdirSync(links);
      withTables(join(real, 'ledger.sqlite'), 'events');
      symlinkSync(join(real, 'ledger.sqlite'), join(links, 'ledger.sqlite'));
      const linked = { LEDGER_SQLITE_PATH: join(links, 'ledger.sqlite'), LEDGER_READ_MODEL_PATH: join(real, 'rm.sqlite') };
      expect(refusalDenying([links], linked)).toBeNull();
      expect(refusalDenying([real], linked)).toMatch(/^LEDGER_SQLITE_PATH: the folder .*volume is not writable/);
      expect(refusalDenying([join(real, 'ledger.sqlite')], linked)).toMatch(/^LEDGER_SQLITE_PATH: .*volume\/ledger\.sqlite is not writable/);
    });

    it('asks it of the read models only of a process that writes them', () => {
      withTables(log(), 'events');
      withTables(readModels(), 'balances');
      expect(refusalDenying([readModels()])).toMatch(/^LEDGER_READ_MODEL_PATH: .*ledger\.read-models\.sqlite is not writable/);
      expect(refusalDenying([readModels()], { LEDGER_PROJECTIONS: 'worker' })).toMatch(/^LEDGER_READ_MODEL_PATH: /);
      // An API beside a projector reads them; the projector writes them and only reads the log.
      expect(refusalDenying([readModels()], { LEDGER_PROJECTIONS: '0' })).toBeNull();
      expect(refusalDenying([log()], {}, true)).toBeNull();
      expect(refusalDenying([readModels()], {}, true)).toMatch(/^LEDGER_READ_MODEL_PATH: /);
    });
  });

  it('names the files a damaged-database error may be about, and what to do, and nothing for other errors', () => {
    const corrupt = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    const sqlite = config({});
    expect(damagedFileNote(corrupt, sqlite)).toBe(
      `the event log ${sqlite.sqlitePath} or the read models ${sqlite.readModelPath} is damaged (SQLITE_CORRUPT: database disk image is malformed). Find which with sqlite3 <file> 'PRAGMA quick_check'; the read models can be deleted (they are rebuilt from the log), a damaged log is restored from a backup (docs/runbook.md, Restore and verify)`,
    );
    // On EventStoreDB the only SQLite file is the read models.
    expect(damagedFileNote(corrupt, { ...sqlite, store: 'eventstoredb' })).toMatch(/^the read models .* is damaged/);
    expect(damagedFileNote(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }), sqlite)).toBeNull();
    expect(damagedFileNote(null, sqlite)).toBeNull();
  });
});
