/**
 * `ledger rebuild` split over processes by account: on a simulated ledger, the read models it leaves
 * are those a rebuild in one process leaves, table by table, and its scratch files are gone. The CLI runs
 * as real processes, as an operator runs it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { dumpEveryTable } from '@ledger/projections/testing/read-model-fixture';
import { type LedgerRun, runLedger } from '../support/ledger-cli';

jest.setTimeout(180_000);

function ledger(dir: string, ...args: string[]): Promise<LedgerRun> {
  return runLedger(dir, args);
}

function ledgerWith(env: Record<string, string>, dir: string, ...args: string[]): Promise<LedgerRun> {
  return runLedger(dir, args, env);
}

/** Every table of the read-model file in `dir`, the fold's and the checkpoints included, rows sorted. */
function readModels(dir: string): string {
  const db = new Database(join(dir, 'ledger.read-models.sqlite'), { readonly: true });
  const dump = dumpEveryTable(db);
  db.close();
  return dump;
}

/** The id of a running process whose arguments `matches` accepts, looked for every 10 ms for 30 s (Linux's /proc). */
async function findProcess(matches: (args: string[]) => boolean): Promise<number> {
  for (let tries = 0; tries < 3_000; tries++) {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let args: string[];
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        continue; // ended meanwhile
      }
      if (matches(args)) return Number(pid);
    }
    await sleep(10);
  }
  throw new Error('no such process appeared');
}

describe('ledger rebuild --jobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-rebuild-'));
  let inOne: string;

  beforeAll(async () => {
    const simulated = await ledger(dir, 'simulate', '--accounts', '9', '--months', '3', '--seed', '7', '--start', '2026-01-05');
    if (simulated.code !== 0) throw new Error(`simulate failed: ${simulated.stderr}`);
    const one = await ledger(dir, 'rebuild', '--jobs', '1');
    if (one.code !== 0) throw new Error(`rebuild failed: ${one.stderr}`);
    expect(one.stdout).not.toMatch(/processes/);
    inOne = readModels(dir);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the read models a rebuild in one process leaves, and no scratch file', async () => {
    // Read models the split must write over: a changed balance and a stray table.
    const before = new Database(join(dir, 'ledger.read-models.sqlite'));
    before.prepare("UPDATE balances SET status = 'MARKED' WHERE rowid = (SELECT min(rowid) FROM balances)").run();
    before.exec('CREATE TABLE stray (x)');
    before.close();
    expect(readModels(dir)).not.toBe(inOne);
    const split = await ledger(dir, 'rebuild', '--jobs', '3');
    expect(split.stderr).toBe('');
    expect(split.code).toBe(0);
    expect(split.stdout).toMatch(/^rebuilt every projection up to position \d+ by 3 processes in \d+ ms \(replays \d+ ms, merge \d+ ms, copy \d+ ms\)\n$/);
    expect(readModels(dir)).toBe(inOne);
    expect(readdirSync(dir).filter((f) => f.startsWith('.rebuild-'))).toEqual([]);
  });

  it('fails, and leaves the read models as they were, while another process holds their file for writing', async () => {
    const before = readModels(dir);
    const writer = new Database(join(dir, 'ledger.read-models.sqlite'));
    writer.exec('BEGIN IMMEDIATE');
    try {
      const split = await ledger(dir, 'rebuild', '--jobs', '2');
      expect(split.code).toBe(3);
      expect(split.stderr).toMatch(/stayed busy/);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    expect(readModels(dir)).toBe(before);
    expect(readdirSync(dir).filter((f) => f.startsWith('.rebuild-'))).toEqual([]);
  });

  it('fails, and leaves the read models as they were, when a share process is killed', async () => {
    const before = readModels(dir);
    const split = ledger(dir, 'rebuild', '--jobs', '2');
    // The process replaying the second share into this ledger's scratch, killed as the kernel kills
    // a process out of memory.
    const child = await findProcess((args) => args.includes('--share') && args.includes('1/2') && args.some((a) => a.startsWith(join(dir, '.rebuild-'))));
    process.kill(child, 'SIGKILL');
    const run = await split;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/the process replaying share 2 of 2 ended with SIGKILL/);
    expect(readModels(dir)).toBe(before);
    expect(readdirSync(dir).filter((f) => f.startsWith('.rebuild-'))).toEqual([]);
  });

  it('refuses to rebuild into the event log, and leaves it as it was', async () => {
    const log = join(dir, 'ledger.sqlite');
    const events = () => {
      const db = new Database(log, { readonly: true });
      const count = db.prepare('SELECT count(*) FROM events').pluck().get();
      db.close();
      return count;
    };
    const count = events();
    for (const jobs of ['1', '2']) {
      const run = await ledgerWith({ LEDGER_READ_MODEL_PATH: log }, dir, 'rebuild', '--jobs', jobs);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/is the event log's file/);
    }
    expect(events()).toBe(count);
  });

  it('refuses jobs it cannot run, and a split of one projection', async () => {
    for (const jobs of ['0', '9', 'two']) {
      const run = await ledger(dir, 'rebuild', '--jobs', jobs);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--jobs must be an integer from 1 to 8/);
    }
    const one = await ledger(dir, 'rebuild', '--projection', 'balances', '--jobs', '2');
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/--projection rebuilds one in one process/);
  });

  it('rebuilds every projection when asked for one on read models that hold nothing, which it left empty', async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `ledger.read-models.sqlite${suffix}`), { force: true });
    const run = await ledger(dir, 'rebuild', '--projection', 'balances');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/^rebuilt balances up to position [1-9]\d* in \d+ ms: the read models at .* held nothing, so every projection was rebuilt, balances among them\n$/);
    expect(readModels(dir)).toBe(inOne);
    // Read models that hold the others: balances alone, up to where they stand.
    const again = await ledger(dir, 'rebuild', '--projection', 'balances');
    expect(again.stdout).toMatch(/^rebuilt balances up to position [1-9]\d* in \d+ ms\n$/);
    expect(readModels(dir)).toBe(inOne);
  });
});
