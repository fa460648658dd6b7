import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@ledger/event-store';

const ROOT = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { backup } = require(join(ROOT, 'scripts/backup.js')) as {
  backup(source: string, destination: string): Promise<{ destination: string; bytes: number; events: number; head: number }>;
};

function event(stream: string, n: number) {
  return { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'Noted', schemaVersion: 1, data: { stream, n } };
}

describe('the online SQLite backup', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-backup-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies a consistent ledger while appends go on, and the copy opens as a ledger', async () => {
    const source = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(source, { synchronous: 'NORMAL' });
    for (let i = 0; i < 200; i++) await store.append(`s-${i}`, 'no_stream', [event(`s-${i}`, i)]);

    let writing = true;
    let written = 200;
    const writer = (async () => {
      while (writing) {
        await store.append(`w-${written}`, 'no_stream', [event(`w-${written}`, written)]);
        written++;
      }
    })();
    const result = await backup(source, join(dir, 'copy.sqlite'));
    writing = false;
    await writer;

    expect(result.events).toBeGreaterThanOrEqual(200);
    expect(result.events).toBeLessThanOrEqual(written);
    expect(result.head).toBe(result.events);
    const copy = new SqliteEventStore(result.destination, { synchronous: 'NORMAL' });
    const events = await copy.readAll();
    expect(events).toHaveLength(result.events);
    expect(events.map((e) => Number(e.position))).toEqual(Array.from({ length: result.events }, (_, i) => i + 1));
    await copy.close();
    await store.close();
    expect(readdirSync(dir).some((f) => f.includes('.partial-'))).toBe(false);
  });

  it('runs from the command line and prints what the backup holds', async () => {
    const source = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(source, { synchronous: 'NORMAL' });
    for (let i = 0; i < 5; i++) await store.append(`s-${i}`, 'no_stream', [event(`s-${i}`, i)]);
    const destination = join(dir, 'nightly', 'ledger.sqlite');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), source, destination], { encoding: 'utf8' });
    await store.close();
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ destination, events: 5, head: 5 });
  });

  /** A ledger of five events at `dir/ledger.sqlite`. */
  async function ledgerOfFive(): Promise<string> {
    const source = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(source, { synchronous: 'NORMAL' });
    for (let i = 0; i < 5; i++) await store.append(`s-${i}`, 'no_stream', [event(`s-${i}`, i)]);
    await store.close();
    return source;
  }

  const partials = (folder: string) => readdirSync(folder).filter((f) => f.includes('.partial-'));

  it.each([
    ['an existing directory', 'nightly'],
    ['a path ending in /', 'new-folder/'],
  ])('writes into a destination that is a directory (%s), under the timestamped name, and leaves no partial file', async (_, name) => {
    const source = await ledgerOfFive();
    if (!name.endsWith('/')) mkdirSync(join(dir, name));
    const folder = join(dir, name);
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), source, folder], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const result = JSON.parse(run.stdout) as { destination: string; events: number };
    expect(result).toMatchObject({ events: 5 });
    expect(result.destination).toMatch(/[\\/]ledger-\d{8}T\d{6}Z\.sqlite$/);
    expect(readdirSync(join(dir, name))).toEqual([result.destination.split(/[\\/]/).pop()]);
    expect(partials(dir)).toEqual([]);
  });

  it('refuses the read-model file (no events table) before copying, exit 1, and backs it up with --read-models', () => {
    const models = join(dir, 'ledger.read-models.sqlite');
    const db = new Database(models);
    db.exec('CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL); INSERT INTO projection_checkpoints VALUES (\'balances\', 1, 7)');
    db.close();
    const refused = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), models, join(dir, 'out.sqlite')], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`backup failed: ${models} is the read-model file, not the event log (no events table): back up the log (LEDGER_SQLITE_PATH), or pass --read-models to back up the read models\n`);
    expect(existsSync(join(dir, 'out.sqlite'))).toBe(false);
    expect(partials(dir)).toEqual([]);
    const asked = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), '--read-models', models, join(dir, 'out.sqlite')], { encoding: 'utf8' });
    expect(asked.status).toBe(0);
    expect(JSON.parse(asked.stdout)).toMatchObject({ destination: join(dir, 'out.sqlite'), readModels: true, projections: 1, position: 7 });
  });

  it('refuses a SQLite file that is no ledger, exit 1, leaving nothing behind', () => {
    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), other, join(dir, 'out.sqlite')], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([1, `backup failed: ${other} is not a ledger event log (no events table)\n`]);
    expect(readdirSync(dir)).toEqual(['other.sqlite']);
  });

  it('fails with a message and leaves nothing behind when the source is missing', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), join(dir, 'missing.sqlite'), join(dir, 'out.sqlite')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('backup failed: no database at');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says how to name a destination when its default folder cannot be made (a container whose working directory is not writable)', async () => {
    const source = join(dir, 'ledger.sqlite');
    const store = new SqliteEventStore(source);
    await store.append('s-1', 'no_stream', [event('s-1', 1)]);
    await store.close();
    // A file where ./backups would go: mkdir fails for root too, as EACCES does for the image's user.
    const cwd = join(dir, 'app');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'backups'), '');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), source], { encoding: 'utf8', cwd });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`backup failed: cannot create the folder ${join(cwd, 'backups')} (the default, ./backups under ${cwd}): name a destination, such as a folder on the data volume: node scripts/backup.js ${source} /data/backups/ (EEXIST)\n`);
  });

  it('prints its usage for --help, exit 0', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), '--help'], { encoding: 'utf8' });
    expect([run.status, run.stdout.split('\n')[0]]).toEqual([0, 'Usage: node scripts/backup.js [--read-models] [source.sqlite] [destination.sqlite | directory/]']);
  });
});
