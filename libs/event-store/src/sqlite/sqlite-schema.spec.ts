import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newEvent } from '../contract/contract-helpers';
import { SqliteEventStore } from './sqlite-event-store';
import { limitBy, openLedgerDatabase } from './sqlite-schema';
import { temporaryDatabasePath } from './sqlite-test-files';

describe('limitBy', () => {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.exec('CREATE TABLE numbers (n INTEGER PRIMARY KEY)');
  const insert = db.prepare('INSERT INTO numbers (n) VALUES (?)');
  for (let n = 1; n <= 5; n++) insert.run(n);
  const select = db.prepare(`SELECT n FROM numbers ORDER BY n ${limitBy('?')}`).pluck();
  afterAll(() => db.close());

  it('limits as a bare LIMIT does, run after run of one statement', () => {
    expect(select.all(2)).toEqual([1n, 2n]);
    expect(select.all(4n)).toEqual([1n, 2n, 3n, 4n]);
    expect(select.all(0)).toEqual([]);
    expect(select.all(-1)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it('takes a named parameter', () => {
    const named = db.prepare(`SELECT n FROM numbers WHERE n > @after ORDER BY n ${limitBy('@limit')}`).pluck();
    expect(named.all({ after: 3, limit: 1 })).toEqual([4n]);
  });
});

describe('the SQL of the ledger', () => {
  it('binds no bare LIMIT parameter (each would prepare its statement again on every run: use limitBy)', () => {
    const root = join(__dirname, '../../../..');
    const sources = ['apps', 'libs'].flatMap((folder) =>
      (readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' }) as string[])
        .filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts'))
        .map((path) => join(root, folder, path)),
    );
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((path) => /\bLIMIT\s+(\?|[@:$]\w)/.test(readFileSync(path, 'utf8')))).toEqual([]);
  });
});

/** The events table as builds before schema version 2 created it: the id unique across the whole log. */
const VERSION_1_EVENTS = `
  CREATE TABLE events (
    position       INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    stream         TEXT    NOT NULL,
    revision       INTEGER NOT NULL CHECK (revision >= 0),
    type           TEXT    NOT NULL CHECK (length(type) > 0),
    schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
    data           TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    recorded_at    INTEGER NOT NULL,
    UNIQUE (stream, revision)
  );
  PRAGMA user_version = 1;
`;

/** Version 2's unique indexes on the events table: ids and revisions, each within its stream. */
const VERSION_2_UNIQUE_INDEXES = [
  ['stream', 'id'],
  ['stream', 'revision'],
];

/** The unique indexes of the events table, each as its list of columns. */
function uniqueIndexes(db: Database.Database): string[][] {
  const names = db.prepare(`SELECT name FROM pragma_index_list('events') WHERE "unique" = 1 ORDER BY name`).pluck().all() as string[];
  return names.map((name) => db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(name) as string[]).sort();
}

describe('the events table', () => {
  let file: ReturnType<typeof temporaryDatabasePath>;
  beforeEach(() => {
    file = temporaryDatabasePath();
  });
  afterEach(() => file.remove());

  it('is created at schema version 2: ids unique within their stream, not across the log', () => {
    const db = openLedgerDatabase(file.path);
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(2);
    expect(uniqueIndexes(db)).toEqual(VERSION_2_UNIQUE_INDEXES);
    db.close();
  });

  const rows = [
    [1, '00000000-0000-4000-8000-000000000001', 'account-a', 0, 'Opened', '{"n":1}', '{"recordedAt":"2026-01-01T00:00:00.000Z"}', 1767225600000],
    [2, '00000000-0000-4000-8000-000000000002', 'account-b', 0, 'Opened', '{"n":2}', '{"recordedAt":"2026-01-01T00:00:01.000Z"}', 1767225601000],
    [3, '00000000-0000-4000-8000-000000000003', 'account-a', 1, 'Drawn', '{"n":3}', '{"recordedAt":"2026-01-01T00:00:02.000Z"}', 1767225602000],
  ] as const;

  /**
   * Writes `rows` into a version-1 file at `file.path`; returns them as SQLite reads them back, and
   * today's events table as SQLite keeps its definition.
   */
  function versionOneFile(): { before: unknown[]; versionTwoEvents: string } {
    // Today's schema, with the events table as version 1 had it (the other tables have not changed).
    const today = openLedgerDatabase(file.path);
    const versionTwoEvents = today.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'events'`).pluck().get() as string;
    today.close();
    const old = new Database(file.path);
    old.exec(`DROP TABLE events; ${VERSION_1_EVENTS}`);
    const insert = old.prepare('INSERT INTO events (position, id, stream, revision, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)');
    for (const row of rows) insert.run(...row);
    const before = old.prepare('SELECT * FROM events ORDER BY position').safeIntegers(true).all();
    old.close();
    return { before, versionTwoEvents };
  }

  it('of a version-1 file is rewritten on the first open, every row kept at its position, and only then', async () => {
    const { before } = versionOneFile();

    const written = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const db = openLedgerDatabase(file.path);
      expect(db.prepare('SELECT * FROM events ORDER BY position').all()).toEqual(before);
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(2);
      expect(uniqueIndexes(db)).toEqual(VERSION_2_UNIQUE_INDEXES);
      expect(db.prepare(`SELECT count(*) FROM sqlite_schema WHERE name LIKE 'events_version_%'`).pluck().get()).toBe(0n);
      db.close();
      expect(written.mock.calls.map(([text]) => String(text))).toEqual([expect.stringContaining('rewriting the events table'), expect.stringContaining('events table rewritten')]);

      written.mockClear();
      const store = new SqliteEventStore(file.path);
      expect(written).not.toHaveBeenCalled();
      // The log goes on from its last position; a retry of a stored event is still recognised, and its
      // id in another stream is now another event.
      const retry = { id: rows[2][1], type: 'Drawn', schemaVersion: 1, data: { n: 3 } };
      await expect(store.append('account-a', 0n, [retry])).resolves.toEqual({ nextRevision: 1n, position: 3n, alreadyStored: true });
      await expect(store.append('account-c', 'no_stream', [{ ...newEvent(), id: rows[0][1] }])).resolves.toEqual({ nextRevision: 0n, position: 4n });
      expect((await store.readAll()).map((event) => [event.position, event.stream, event.id])).toEqual([
        ...rows.map(([position, id, stream]) => [BigInt(position), stream, id]),
        [4n, 'account-c', rows[0][1]],
      ]);
      await store.close();
    } finally {
      written.mockRestore();
    }
  });

  it('of a version-1 file another process holds is waited for, past the usual busy timeout, and not rewritten twice', async () => {
    const { before, versionTwoEvents } = versionOneFile();
    // Another process takes the write lock, rewrites the table as version 2 does, and commits 1.5 s later.
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('locked at ' + Date.now() + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
      db.exec(\`CREATE TABLE events_copy AS SELECT * FROM events;
        DROP TABLE events;
        \${process.argv[2]};
        INSERT INTO events SELECT * FROM events_copy;
        DROP TABLE events_copy;
        PRAGMA user_version = 2;\`);
      db.exec('COMMIT');
      db.close();`;
    const other = spawn(process.execPath, ['-e', script, file.path, versionTwoEvents], { cwd: join(__dirname, '../../../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => other.on('exit', resolve));
    // When the other process took the lock, by its own clock (the same as ours): however late its line reaches
    // us, the lock is held until 1.5 s after that.
    const lockedAt = await new Promise<number>((resolve, reject) => {
      let output = '';
      other.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const locked = /locked at (\d+)\n/.exec(output);
        if (locked) resolve(Number(locked[1]));
      });
      other.on('exit', (code) => reject(new Error(`the process holding the lock exited (${code}) before saying it had it: ${output}`)));
    });

    const written = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const db = openLedgerDatabase(file.path, { busyTimeoutMs: 100 });
      // The open returned only once the other process let go, far past the usual 100 ms.
      expect(Date.now()).toBeGreaterThanOrEqual(lockedAt + 1500);
      expect(written.mock.calls.map(([text]) => String(text))).not.toContainEqual(expect.stringContaining('rewriting the events table'));
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(2);
      expect(uniqueIndexes(db)).toEqual(VERSION_2_UNIQUE_INDEXES);
      expect(db.prepare('SELECT * FROM events ORDER BY position').all()).toEqual(before);
      // The usual busy timeout is back once the open is done.
      expect(db.pragma('busy_timeout', { simple: true })).toBe(100n);
      db.close();
    } finally {
      written.mockRestore();
    }
    expect(await exited).toBe(0);
  });
});
