import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { limitBy } from './sqlite-schema';

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
