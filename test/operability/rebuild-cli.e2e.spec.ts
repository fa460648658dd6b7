/**
 * `ledger rebuild` split over processes by account: on a simulated ledger, the read models it leaves
 * are those a rebuild in one process leaves, table by table, and its scratch files are gone. The CLI runs
 * as real processes, as an operator runs it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

jest.setTimeout(180_000);

const CLI = join(__dirname, '..', '..', 'apps', 'ledger-cli', 'bin', 'ledger.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ledger(dir: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env, LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', LEDGER_CLOCK: 'manual', LEDGER_CLOCK_START: '2026-01-05T09:00:00+08:00' };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Every table of the read-model file, the fold's and the checkpoints included, rows sorted. */
function readModels(dir: string): string {
  const db = new Database(join(dir, 'ledger.read-models.sqlite'), { readonly: true });
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const dump = tables.map((table) => [`# ${table}`, ...(db.prepare(`SELECT * FROM ${table}`).raw(true).all() as unknown[][]).map((r) => JSON.stringify(r)).sort()].join('\n')).join('\n');
  db.close();
  return dump;
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
    const split = await ledger(dir, 'rebuild', '--jobs', '3');
    expect(split.stderr).toBe('');
    expect(split.code).toBe(0);
    expect(split.stdout).toMatch(/^rebuilt every projection up to position \d+ by 3 processes in \d+ ms \(replays \d+ ms, merge \d+ ms, copy \d+ ms\)\n$/);
    expect(readModels(dir)).toBe(inOne);
    expect(readdirSync(dir).filter((f) => f.startsWith('.rebuild-'))).toEqual([]);
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
});
