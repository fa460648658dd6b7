/**
 * `ledger gl` on a simulated ledger: the trial balance over a range, and its journal lines as CSV and
 * JSON, written as the log is read. The three formats agree, debits equal credits to the fen, and one
 * range's closing balances are the next range's opening ones. The CLI runs as a real process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TrialBalanceLine } from '@ledger/credit';
import { SqliteEventStore } from '@ledger/event-store';
import { accountHistoryAtClose, type GeneralLedger, type GlLine } from '@ledger/servicing/audit';
import { type LedgerRun, runLedger } from '../support/ledger-cli';

jest.setTimeout(180_000);

/** An amount in fen, exactly: "-12.30" -> -1230n. */
function fen(amount: string): bigint {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (!match) throw new Error(`not an amount of fen: ${amount}`);
  const value = BigInt(match[2]) * 100n + BigInt(match[3]);
  return match[1] === '-' ? -value : value;
}

describe('ledger gl on a simulated ledger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-gl-'));
  const runs: Record<string, LedgerRun> = {};
  let events = 0;

  beforeAll(async () => {
    // More events than two of the log's pages (2,000 rows each), so the lines are written in parts.
    const simulated = await runLedger(dir, ['simulate', '--accounts', '100', '--months', '5', '--seed', '42', '--start', '2026-01-05']);
    if (simulated.code !== 0) throw new Error(`simulate failed: ${simulated.stderr}`);
    const log = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
    events = log.prepare('SELECT count(*) FROM events').pluck().get() as number;
    log.close();
    const ranges: Record<string, string[]> = {
      text: ['--from', '2026-01-01', '--to', '2026-06-30'],
      csv: ['--from', '2026-01-01', '--to', '2026-06-30', '--format', 'csv'],
      json: ['--from', '2026-01-01', '--to', '2026-06-30', '--format', 'json'],
      early: ['--from', '2026-01-01', '--to', '2026-02-28', '--format', 'json'],
      late: ['--from', '2026-03-01', '--to', '2026-06-30', '--format', 'json'],
      empty: ['--from', '2025-01-01', '--to', '2025-01-31', '--format', 'json'],
      // To March's close: its statement is billed then, its charges posted on 1 April.
      atClose: ['--from', '2026-01-01', '--to', '2026-03-31', '--by', 'business-day', '--format', 'json'],
      byPosting: ['--from', '2026-01-01', '--to', '2026-03-31', '--format', 'json'],
    };
    await Promise.all(Object.entries(ranges).map(async ([name, args]) => void (runs[name] = await runLedger(dir, ['gl', ...args]))));
    for (const [name, run] of Object.entries(runs)) if (run.code !== 0) throw new Error(`gl ${name} failed: ${run.stderr}`);
    runs.badBy = await runLedger(dir, ['gl', '--from', '2026-01-01', '--to', '2026-03-31', '--by', 'close']);
    runs.openDay = await runLedger(dir, ['gl', '--from', '2026-01-01', '--to', '2026-12-31', '--by', 'business-day']);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const parsed = (name: string) => JSON.parse(runs[name].stdout) as GeneralLedger & { lines: GlLine[] };

  it('writes every journal line of the range in each format, and the same trial balance', () => {
    const json = parsed('json');
    expect(events).toBeGreaterThan(4_000);
    expect(json.lineCount).toBeGreaterThan(2_000);
    expect(json.lines).toHaveLength(json.lineCount);
    expect(runs.text.stdout).toContain(`trial balance 2026-01-01 to 2026-06-30 (${json.lineCount} journal lines; debits positive)`);
    const [header, ...rows] = runs.csv.stdout.trimEnd().split('\n');
    expect(header).toBe('date,position,eventId,accountId,eventType,commandId,ledgerAccount,side,amount');
    expect(rows.map((r) => r.split(','))).toEqual(json.lines.map((l) => [l.date, l.position, l.eventId, l.accountId, l.eventType, l.commandId ?? '', l.ledgerAccount, l.side, l.amount]));
    // Each line names the command that recorded its event: a draw's is its order's.
    const drawn = json.lines.find((l) => l.eventType === 'DrawPosted')!;
    expect(drawn.commandId).toMatch(/^draw:/);
    expect(json.lines.every((l) => l.commandId !== null)).toBe(true);
    for (const row of json.trialBalance) expect(runs.text.stdout).toMatch(new RegExp(`^${row.ledgerAccount} +${row.opening.replace('.', '\\.')} +${row.debits.replace('.', '\\.')} +${row.credits.replace('.', '\\.')} +${row.closing.replace('.', '\\.')}$`, 'm'));
  });

  it('balances: debits equal credits line by line summed, and the closing balances sum to zero', () => {
    const json = parsed('json');
    const sum = (side: 'DEBIT' | 'CREDIT') => json.lines.filter((l) => l.side === side).reduce((total, l) => total + fen(l.amount), 0n);
    expect(sum('DEBIT')).toBe(sum('CREDIT'));
    expect(fen(json.totals.debits)).toBe(sum('DEBIT'));
    expect(fen(json.totals.closing)).toBe(0n);
    expect(json.trialBalance.reduce((total, r) => total + fen(r.closing), 0n)).toBe(0n);
  });

  it("opens each range with the range before it's closing balances", () => {
    const early = parsed('early');
    const late = parsed('late');
    const whole = parsed('json');
    const by = (rows: TrialBalanceLine[], pick: (r: TrialBalanceLine) => string) => Object.fromEntries(rows.map((r) => [r.ledgerAccount, pick(r)]));
    expect(by(late.trialBalance, (r) => r.opening)).toEqual(by(early.trialBalance, (r) => r.closing));
    expect(by(late.trialBalance, (r) => r.closing)).toEqual(by(whole.trialBalance, (r) => r.closing));
    expect(early.lineCount + late.lineCount).toBe(whole.lineCount);
  });

  it("by business day, closes each receivable at what the accounts replayed to that day's close owe, to the fen", async () => {
    const atClose = parsed('atClose');
    expect(atClose.dateBy).toBe('businessDay');
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    const owed = { revolving: 0n, installment: 0n, interest: 0n, fees: 0n, penalty: 0n };
    try {
      const accounts = store.db.prepare(`SELECT DISTINCT substr(stream, 16) FROM events WHERE stream LIKE 'credit-account-%'`).pluck().all() as string[];
      expect(accounts).toHaveLength(100);
      for (const accountId of accounts) {
        const view = (await accountHistoryAtClose(store, accountId, '2026-03-31')).balances;
        if (view === null) continue;
        owed.revolving += fen(view.owed.revolvingUnbilled) + fen(view.owed.revolvingBilled);
        owed.installment += fen(view.owed.installmentUnbilled) + fen(view.owed.installmentBilled);
        owed.interest += fen(view.owed.interest);
        owed.fees += fen(view.owed.fees);
        owed.penalty += fen(view.owed.penaltyInterest);
      }
    } finally {
      await store.close();
    }
    const closing = (rows: TrialBalanceLine[]) => Object.fromEntries(rows.map((r) => [r.ledgerAccount, fen(r.closing)]));
    const gl = closing(atClose.trialBalance);
    expect(owed.interest).toBeGreaterThan(0n);
    expect({ revolving: gl.REVOLVING_PRINCIPAL_RECEIVABLE, installment: gl.INSTALLMENT_PRINCIPAL_RECEIVABLE, interest: gl.INTEREST_RECEIVABLE, fees: gl.FEE_RECEIVABLE, penalty: gl.PENALTY_RECEIVABLE }).toEqual(owed);
    // By posting date the range ends before March's statement: less interest is receivable.
    expect(closing(parsed('byPosting').trialBalance).INTEREST_RECEIVABLE).toBeLessThan(gl.INTEREST_RECEIVABLE);
    expect(runs.badBy.code).toBe(2);
    expect(runs.badBy.stderr).toContain('--by must be posting or business-day, got close');
    // By business day, a day not closed yet has no close to be as of.
    expect(runs.openDay.code).toBe(2);
    expect(runs.openDay.stderr).toMatch(/business day 2026-12-31 has not closed \(the last closed is 2026-0\d-\d\d\): --by business-day reports as of each close/);
  });

  it('writes valid JSON for a range with no line', () => {
    const empty = parsed('empty');
    expect(empty).toMatchObject({ from: '2025-01-01', to: '2025-01-31', lines: [], lineCount: 0 });
    expect(empty.trialBalance.every((r) => r.opening === '0.00' && r.closing === '0.00')).toBe(true);
  });
});
