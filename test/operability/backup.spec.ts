import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('fails with a message and leaves nothing behind when the source is missing', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/backup.js'), join(dir, 'missing.sqlite'), join(dir, 'out.sqlite')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('backup failed: no database at');
    expect(readdirSync(dir)).toEqual([]);
  });
});
