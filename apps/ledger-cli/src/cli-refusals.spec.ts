/**
 * How the CLI refuses: usage errors, files that hold no event log, an unknown account, a rebuild that
 * would empty good read models, `gl`'s dates and a reader of its output that has gone. Each refusal is one
 * line and exit code 2 (exit code 1 is `verify`'s findings), and leaves the files as they were. The CLI
 * runs as a real process, as an operator runs it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@ledger/event-store';
import { type LedgerRun, runLedger } from '../../../test/support/ledger-cli';
import { firstDayToSimulate } from './commands/simulate.command';

jest.setTimeout(180_000);

const CLI = join(__dirname, '..', 'bin', 'ledger.js');

/**
 * Waits until the process `pid` has started one of its own (bin/ledger.js has spawned the CLI, and set
 * its signal handlers in the same tick): on Linux by its children's `/proc/<pid>/stat`, elsewhere a while.
 */
async function hasStartedChild(pid: number): Promise<void> {
  if (!existsSync('/proc/self/stat')) return void (await sleep(1_000));
  const parentOf = (entry: string): number | null => {
    try {
      // pid (comm) state ppid ...: the command name may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return null;
    }
  };
  for (let tries = 0; tries < 250; tries++) {
    if (readdirSync('/proc').some((entry) => /^\d+$/.test(entry) && parentOf(entry) === pid)) return;
    await sleep(20);
  }
  throw new Error(`process ${pid} started no child in 5 s`);
}

/** One line on stderr, no stack trace. */
function expectOneLine(run: LedgerRun): void {
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

describe('ledger CLI refusals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-refusals-'));
  const log = join(dir, 'ledger.sqlite');
  const readModels = join(dir, 'ledger.read-models.sqlite');
  const ledger = (...args: string[]) => runLedger(dir, args);
  /** `ledger <args>` with LEDGER_SQLITE_PATH at `path`, the read models at `models` (by default a file that is not there). */
  const on = (
    path: string,
    args: string[],
    models = join(dir, 'absent', 'rm.sqlite'),
    env: Record<string, string> = {},
  ) => runLedger(dir, args, { LEDGER_SQLITE_PATH: path, LEDGER_READ_MODEL_PATH: models, ...env });

  beforeAll(async () => {
    const simulated = await ledger(
      'simulate',
      '--accounts',
      '8',
      '--months',
      '2',
      '--seed',
      '5',
      '--start',
      '2026-01-05',
    );
    if (simulated.code !== 0) throw new Error(`simulate failed: ${simulated.stderr}`);
    const rebuilt = await ledger('rebuild');
    if (rebuilt.code !== 0) throw new Error(`rebuild failed: ${rebuilt.stderr}`);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('usage errors exit 2 with commander one line', () => {
    it.each([
      [['verify', '--formt', 'json'], "error: unknown option '--formt'"],
      [['replay', '--acount', 'x'], "error: unknown option '--acount'"],
      [['replay', '--account'], "error: option '--account <id>' argument missing"],
      [['repaly'], "error: unknown command 'repaly'"],
      [['help', 'nope'], "error: unknown command 'nope'"],
      [['gl', '--bogus'], "error: unknown option '--bogus'"],
    ])('ledger %j', async (args, message) => {
      const run = await ledger(...args);
      expect(run.code).toBe(2);
      expect(run.stderr.split('\n')[0]).toBe(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toMatch(/Usage:/);
    });

    it('still exits 0 for --help and help <command>', async () => {
      const [help, helpVerify] = await Promise.all([ledger('verify', '--help'), ledger('help', 'verify')]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: ledger verify \[options\]/);
      expect(help.stdout).toMatch(/--no-read-models/);
      expect(helpVerify.code).toBe(0);
      expect(helpVerify.stdout).toMatch(/--no-read-models/);
    });

    it('shows help on a host whose settings the command itself would refuse (production without its hash key), and refuses the command', async () => {
      const production = { NODE_ENV: 'production', LEDGER_CLOCK: 'system', LEDGER_ID_HASH_KEY: '' };
      const [help, top, verify] = await Promise.all([runLedger(dir, ['verify', '--help'], production), runLedger(dir, ['help'], production), runLedger(dir, ['verify'], production)]);
      expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/^Usage: ledger verify \[options\]/)]);
      expect([top.code, top.stdout]).toEqual([0, expect.stringMatching(/^Usage: ledger \[options\] \[command\]/)]);
      expect([verify.code, verify.stderr]).toEqual([78, 'configuration error: LEDGER_ID_HASH_KEY: must be set to a secret of at least 16 characters with NODE_ENV=production (the development key is only for NODE_ENV unset, development or test)\n']);
    });

    it('names the files it reads and its exit codes in the top-level help', async () => {
      const help = await ledger('--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Files \(environment\):\n {2}LEDGER_SQLITE_PATH .*\n {2}LEDGER_READ_MODEL_PATH /m);
      expect(help.stdout).toMatch(/^Exit codes: 0 done \(verify: no finding\), 1 verify found something, 2 a usage or input error,$/m);
      expect(help.stdout).toMatch(/128 \+ its number when a signal ended it\n\(130 SIGINT, 137 SIGKILL, 143 SIGTERM\)/);
    });
  });

  describe('a file that holds no event log is refused and left as it was', () => {
    const commands = [
      ['verify'],
      ['replay', '--account', 'x'],
      ['explain', '--account', 'x', '--statement', '2026-02'],
      ['gl', '--from', '2026-01-01', '--to', '2026-01-31', '--format', 'json'],
    ];

    it.each(commands)('the read-model file: ledger %s', async (...args) => {
      const copy = join(dir, `rm-${args[0]}.sqlite`);
      copyFileSync(readModels, copy);
      const before = tables(copy);
      const run = await on(copy, args);
      expect(run).toMatchObject({
        code: 2,
        stdout: '',
        stderr: `ledger: ${copy} is not a ledger event log (no events table)\n`,
      });
      expect(tables(copy)).toEqual(before);
      expect(before).not.toContain('events');
    });

    it('the read-model file: ledger simulate writes no event log into it', async () => {
      const copy = join(dir, 'rm-simulate.sqlite');
      copyFileSync(readModels, copy);
      const before = tables(copy);
      const run = await on(copy, ['simulate', '--accounts', '1', '--months', '1']);
      expect(run).toMatchObject({ code: 2, stdout: '', stderr: `ledger: ${copy} is not a ledger event log (no events table)\n` });
      expect(tables(copy)).toEqual(before);
    });

    it('an empty file stays empty', async () => {
      const empty = join(dir, 'empty.sqlite');
      writeFileSync(empty, '');
      const run = await on(empty, ['verify']);
      expect(run).toMatchObject({
        code: 2,
        stderr: `ledger: ${empty} is not a ledger event log (no events table)\n`,
      });
      expect(readFileSync(empty)).toHaveLength(0);
    });

    it('a damaged log (pages overwritten, as a copy over an open file leaves it): one line naming the files, no stack', async () => {
      const damaged = join(dir, 'damaged.sqlite');
      copyFileSync(log, damaged);
      const bytes = readFileSync(damaged);
      // Past the schema's first page: SQLite opens it, and finds it malformed when it reads the events.
      bytes.fill(0xff, 4096 * 3, Math.min(bytes.length, 4096 * 40));
      writeFileSync(damaged, bytes);
      const run = await on(damaged, ['verify', '--no-read-models']);
      expect(run.code).toBe(3);
      expectOneLine(run);
      expect(run.stderr).toMatch(new RegExp(`^ledger: the event log ${damaged} or the read models .* is damaged \\(SQLITE_CORRUPT: .*\\)\\. Find which with .*PRAGMA quick_check`));
    });

    it('a file that is not SQLite: one line, no stack', async () => {
      const notes = join(dir, 'notes.txt');
      writeFileSync(notes, 'not a database, just notes\n'.repeat(20));
      const run = await on(notes, ['replay', '--account', 'x']);
      expect(run).toMatchObject({
        code: 2,
        stderr: `ledger: ${notes} is not a ledger event log (file is not a database)\n`,
      });
      expect(readFileSync(notes, 'utf8')).toBe('not a database, just notes\n'.repeat(20));
    });
  });

  describe('verify and the read models', () => {
    it('refuses a LEDGER_READ_MODEL_PATH that holds no file, rather than passing without them', async () => {
      const typo = join(dir, 'ledger.read-model.sqlite');
      const run = await on(log, ['verify'], typo);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toBe(`ledger: no read models at ${typo} (LEDGER_READ_MODEL_PATH); pass --no-read-models to check the log alone\n`);
      const logAlone = await on(log, ['verify', '--no-read-models'], typo);
      expect([logAlone.code, logAlone.stderr]).toEqual([0, 'read models not checked (--no-read-models)\n']);
    });

    it('names the file it looked for when none lies beside the log', async () => {
      const apart = mkdtempSync(join(tmpdir(), 'ledger-apart-'));
      try {
        copyFileSync(log, join(apart, 'ledger.sqlite'));
        const run = await runLedger(dir, ['verify'], { LEDGER_SQLITE_PATH: join(apart, 'ledger.sqlite') });
        expect([run.code, run.stderr]).toEqual([0, `read models not checked: no read-model file at ${join(apart, 'ledger.read-models.sqlite')}\n`]);
      } finally {
        rmSync(apart, { recursive: true, force: true });
      }
    });
  });

  describe('simulate and the days a ledger has closed', () => {
    const events = () => {
      const db = new Database(log, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
      } finally {
        db.close();
      }
    };

    it.each(['2026-01-15', '2027-06-01'])('refuses --start %s on a ledger whose next day is another, writing nothing', async (start) => {
      const before = events();
      const run = await ledger('simulate', '--accounts', '2', '--months', '1', '--start', start);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^ledger: --start ${start}: this ledger has closed every day up to \\d{4}-\\d{2}-\\d{2}, so a simulation goes on from \\d{4}-\\d{2}-\\d{2}; leave --start out\\n$`));
      expect(events()).toBe(before);
    });

    it('starts a new ledger on --start or the clock, a ledger with days closed on the day after the last', () => {
      expect(firstDayToSimulate(undefined, null, '2026-01-05')).toBe('2026-01-05');
      expect(firstDayToSimulate('2026-02-01', null, '2026-01-05')).toBe('2026-02-01');
      expect(() => firstDayToSimulate('2026-01-01', null, '2026-01-05')).toThrow('is before the business clock');
      expect(firstDayToSimulate(undefined, '2026-03-05', '2026-03-06')).toBe('2026-03-06');
      expect(firstDayToSimulate('2026-03-06', '2026-03-05', '2026-03-06')).toBe('2026-03-06');
      expect(() => firstDayToSimulate(undefined, '2026-03-05', '2026-03-09')).toThrow('close the days up to 2026-03-08 first');
    });
  });

  it('explain of an unknown account: one line, exit 2', async () => {
    const run = await ledger('explain', '--account', 'nope', '--statement', '2026-02');
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: 'ledger: account nope has no events\n' });
  });

  it('explain of a month that cannot be: one line naming the option, exit 2', async () => {
    for (const month of ['2026-13', '2026-00']) {
      const run = await ledger('explain', '--account', 'nope', '--statement', month);
      expect(run).toMatchObject({ code: 2, stdout: '', stderr: `ledger: --statement must be a month (YYYY-MM), got ${month}\n` });
    }
  });

  describe('rebuild does not empty good read models', () => {
    const rows = (path: string) => {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT count(*) FROM balances').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const emptyLog = join(dir, 'empty-log.sqlite');
    const models = join(dir, 'models-copy.sqlite');

    beforeAll(async () => {
      await new SqliteEventStore(emptyLog).close();
      copyFileSync(readModels, models);
      expect(rows(models)).toBeGreaterThan(0);
    });

    it('refuses the memory store', async () => {
      const run = await on(log, ['rebuild'], models, { LEDGER_STORE: 'memory' });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^ledger: rebuild needs an event log .*memory store/);
      expectOneLine(run);
      expect(rows(models)).toBeGreaterThan(0);
    });

    it('refuses an empty log over read models with rows unless --allow-empty', async () => {
      const refused = await on(emptyLog, ['rebuild'], models);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/has no events, and the read models at .* hold rows.*--allow-empty/);
      expectOneLine(refused);
      expect(rows(models)).toBeGreaterThan(0);
      const allowed = await on(emptyLog, ['rebuild', '--allow-empty'], models);
      expect(allowed.code).toBe(0);
      expect(rows(models)).toBe(0);
      // Read models with no rows: nothing to lose, no flag needed.
      const again = await on(emptyLog, ['rebuild'], models);
      expect(again.code).toBe(0);
    });
  });

  describe('gl', () => {
    it.each([
      [['--from', '2026-01-01'], 'ledger: --to is required (a date, YYYY-MM-DD)\n'],
      [
        ['--from', '2026-01-01', '--to', '2026-02-30'],
        'ledger: --to must be a calendar date (YYYY-MM-DD), got 2026-02-30\n',
      ],
      [
        ['--from', 'soon', '--to', '2026-02-01'],
        'ledger: --from must be a calendar date (YYYY-MM-DD), got soon\n',
      ],
      [
        ['--from', '2026-03-01', '--to', '2026-02-01'],
        'ledger: --from 2026-03-01 is after --to 2026-02-01\n',
      ],
    ])('names the option and the value at fault: %j', async (args, message) => {
      expect(await ledger('gl', ...args)).toMatchObject({ code: 2, stdout: '', stderr: message });
    });

    it.each(['json', 'csv'])(
      'writes nothing to stdout when the log cannot be opened (--format %s)',
      async (format) => {
        const missing = join(dir, 'missing', 'ledger.sqlite');
        const run = await on(missing, [
          'gl',
          '--from',
          '2026-01-01',
          '--to',
          '2026-01-31',
          '--format',
          format,
        ]);
        expect(run).toMatchObject({
          code: 2,
          stdout: '',
          stderr: `ledger: no ledger at ${missing} (set LEDGER_SQLITE_PATH)\n`,
        });
      },
    );

    it.each(['json', 'csv', 'text'])(
      'ends quietly, exit 0, when its reader has gone (--format %s)',
      async (format) => {
        const child = spawn(
          process.execPath,
          [CLI, 'gl', '--from', '2026-01-01', '--to', '2026-12-31', '--format', format],
          {
            env: {
              ...process.env,
              LEDGER_SQLITE_PATH: log,
              LEDGER_CLOCK: 'manual',
              LEDGER_CLOCK_START: '2026-01-05T09:00:00+08:00',
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        // The reader closes its end before a line is read, as `| head -0` would.
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      },
    );

    it('exits 0 from a clean verify whose notice on stderr finds the reader gone (`verify 2>&1 | head -1`)', async () => {
      const child = spawn(process.execPath, [CLI, 'verify', '--no-read-models'], {
        env: { ...process.env, LEDGER_SQLITE_PATH: log, LEDGER_CLOCK: 'manual', LEDGER_CLOCK_START: '2026-01-05T09:00:00+08:00' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The report is read; stderr's reader has gone before the notice after it is written.
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, ok: stdout.startsWith('OK: ') }).toEqual({ code: 0, ok: true });
    });
  });

  describe('what a command cannot act on: arguments it does not take, the memory store', () => {
    const FILES = '; the files are chosen with LEDGER_SQLITE_PATH (the event log) and LEDGER_READ_MODEL_PATH (the read models), not with arguments\n';
    const runs: Record<string, LedgerRun> = {};
    let readModelsBefore = 0;

    // One batch of processes at once: each is refused before it opens a file. Every command's refusal of
    // an argument is in usage-errors.spec.ts; here, as the operator met them, with the exit code.
    beforeAll(async () => {
      readModelsBefore = statSync(readModels).mtimeMs;
      const cases: Record<string, Promise<LedgerRun>> = {
        rebuildPath: ledger('rebuild', '/tmp/whatever.sqlite'),
        verifyRestored: ledger('verify', '--no-read-models', '/data/restore/ledger.sqlite'),
        verifyMemory: on(log, ['verify', '--no-read-models'], undefined, { LEDGER_STORE: 'memory' }),
      };
      for (const [name, run] of Object.entries(cases)) runs[name] = await run;
    });

    it.each([
      ['rebuildPath', `error: unexpected argument '/tmp/whatever.sqlite': ledger rebuild takes no arguments${FILES}`],
      ['verifyRestored', `error: unexpected argument '/data/restore/ledger.sqlite': ledger verify takes no arguments${FILES}`],
    ])('refuses a file path as an argument (%s): exit 2, one line naming it and the variables that choose the files', (name, message) => {
      expect(runs[name]).toMatchObject({ code: 2, stdout: '', stderr: message });
    });

    it('refused, rebuild leaves the read models as they were', () => {
      expect(statSync(readModels).mtimeMs).toBe(readModelsBefore);
    });

    it('refuses verify on the memory store (nothing in it outside the process that wrote it), exit 2', () => {
      const run = runs.verifyMemory;
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^ledger: LEDGER_STORE=memory: the memory store holds no events outside the process that wrote them/);
      expectOneLine(run);
    });
  });

  it('exits 128 + the signal number when a signal ends it: 143 for SIGTERM, not 1 (verify found something)', async () => {
    const child = spawn(process.execPath, [CLI, 'verify', '--no-read-models'], {
      env: { ...process.env, LEDGER_SQLITE_PATH: log, LEDGER_CLOCK: 'manual', LEDGER_CLOCK_START: '2026-01-05T09:00:00+08:00' },
      stdio: 'ignore',
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    await hasStartedChild(child.pid!);
    child.kill('SIGTERM');
    expect(await exited).toEqual([143, null]);
  });

  it('leaves the ledger itself readable', () => {
    expect(existsSync(log)).toBe(true);
    expect(tables(log)).toContain('events');
  });
});
