import Database from 'better-sqlite3';
import { addDays, type CreditAccountEvent, initialState, Money } from '@ledger/credit';
import { tablesAfter } from '../testing/batch-equivalence';
import type { ProjectionEvent } from '../runner/projection';
import { journalDays, trialBalance } from '../queries/journal.queries';
import { QueryInputError } from '../queries/query-input';
import { BusinessDaysProjection } from './business-days.projection';
import { JournalProjection } from './journal.projection';

let position = 0n;

/**
 * An account event as the runner hands it. The journal reads the event alone (its date and postings), so
 * the data carries only the fields its postings are made of, and the states are left empty.
 */
function change(accountId: string, type: CreditAccountEvent['type'], data: Record<string, unknown>): ProjectionEvent {
  position++;
  const event = { type, data } as CreditAccountEvent;
  const stored = { id: `e-${position}`, stream: `credit-account-${accountId}`, revision: 0n, position, type, schemaVersion: 1, data };
  return { kind: 'account', accountId, event, before: initialState(accountId), after: initialState(accountId), stored };
}

const breakdown = (charged: string) => ({ exact: charged, charged, residual: '0' });

/** Two accounts over January and February, every posting worked out by hand in the comments. */
const ledger: ProjectionEvent[] = [
  // REVOLVING_PRINCIPAL_RECEIVABLE D 1000.00, MERCHANT_SETTLEMENT C 1000.00
  change('acc-a', 'DrawPosted', { on: '2026-01-05', amount: '1000.00' }),
  // REVOLVING D 250.50, MERCHANT C 250.50
  change('acc-b', 'DrawPosted', { on: '2026-01-05', amount: '250.50' }),
  // Posts nothing.
  change('acc-b', 'DrawDeclined', { on: '2026-01-06', amount: '9000.00' }),
  // INSTALLMENT_PRINCIPAL_RECEIVABLE D 600.00, REVOLVING C 600.00
  change('acc-a', 'InstallmentPlanCreated', { on: '2026-01-20', principal: '600.00' }),
  // MERCHANT D 100.00, REVOLVING C 100.00
  change('acc-a', 'DrawRefunded', { on: '2026-01-25', amount: '100.00', appliedTo: [{ target: 'UNBILLED_REVOLVING', amount: '100.00' }], returnedToCustomer: '0.00' }),
  {
    kind: 'businessDayClosed',
    data: { businessDate: '2026-01-31', closedAt: '2026-02-01T00:05:00+08:00', accounts: 2, counts: {} },
    stored: { id: 'close-1', stream: 'ledger-business-days', revision: 0n, position: ++position, type: 'BusinessDayClosed', schemaVersion: 1, data: {} },
  },
  // INTEREST_RECEIVABLE D 12.34, INTEREST_INCOME C 12.34; FEE_RECEIVABLE D 1.50, FEE_INCOME C 1.50; no penalty, no lines
  change('acc-a', 'StatementIssued', { on: '2026-02-01', interest: breakdown('12.34'), penaltyInterest: breakdown('0.00'), fees: '1.50' }),
  // REPAYMENT_CLEARING D 300.00, REVOLVING C 250.50, REPAYMENT_CLEARING C 49.50 (returned to the card)
  change('acc-b', 'RepaymentReceived', { on: '2026-02-03', amount: '300.00', allocation: [{ target: 'UNBILLED_REVOLVING', amount: '250.50' }], returnedToCustomer: '49.50' }),
];

function journalOf(events: readonly ProjectionEvent[], batchSize = events.length) {
  const db = new Database(':memory:');
  const projection = new JournalProjection();
  // The trial balance names the last closed day, from the business days' table.
  for (const ddl of [...new BusinessDaysProjection().ddl, ...projection.ddl]) db.exec(ddl);
  projection.prepare(db);
  for (let i = 0; i < events.length; i += batchSize) {
    for (const event of events.slice(i, i + batchSize)) projection.apply(event);
    projection.flush();
  }
  return db;
}

/** The rows of a trial balance with anything in them, as [ledger account, opening, debits, credits, closing]. */
const moved = (tb: ReturnType<typeof trialBalance>) =>
  tb.trialBalance.filter((r) => [r.opening, r.debits, r.credits, r.closing].some((v) => v !== '0.00')).map((r) => [r.ledgerAccount, r.opening, r.debits, r.credits, r.closing]);

describe('the journal read model', () => {
  it("keeps each posting date's debits, credits and lines per ledger account", () => {
    const db = journalOf(ledger);
    expect(journalDays(db, '2026-01-01', '2026-02-28').map((d) => [d.date, d.ledgerAccount, d.debits, d.credits, d.lineCount])).toEqual([
      ['2026-01-05', 'REVOLVING_PRINCIPAL_RECEIVABLE', '1250.50', '0.00', 2],
      ['2026-01-05', 'MERCHANT_SETTLEMENT', '0.00', '1250.50', 2],
      ['2026-01-20', 'REVOLVING_PRINCIPAL_RECEIVABLE', '0.00', '600.00', 1],
      ['2026-01-20', 'INSTALLMENT_PRINCIPAL_RECEIVABLE', '600.00', '0.00', 1],
      ['2026-01-25', 'REVOLVING_PRINCIPAL_RECEIVABLE', '0.00', '100.00', 1],
      ['2026-01-25', 'MERCHANT_SETTLEMENT', '100.00', '0.00', 1],
      ['2026-02-01', 'INTEREST_RECEIVABLE', '12.34', '0.00', 1],
      ['2026-02-01', 'FEE_RECEIVABLE', '1.50', '0.00', 1],
      ['2026-02-01', 'INTEREST_INCOME', '0.00', '12.34', 1],
      ['2026-02-01', 'FEE_INCOME', '0.00', '1.50', 1],
      ['2026-02-03', 'REVOLVING_PRINCIPAL_RECEIVABLE', '0.00', '250.50', 1],
      ['2026-02-03', 'REPAYMENT_CLEARING', '300.00', '49.50', 2],
    ]);
    expect(journalDays(db, '2026-01-06', '2026-01-19')).toEqual([]);
  });

  it('gives January its own lines and closing balances, which sum to zero', () => {
    const january = trialBalance(journalOf(ledger), '2026-01-01', '2026-01-31');
    expect(moved(january)).toEqual([
      ['REVOLVING_PRINCIPAL_RECEIVABLE', '0.00', '1250.50', '700.00', '550.50'],
      ['INSTALLMENT_PRINCIPAL_RECEIVABLE', '0.00', '600.00', '0.00', '600.00'],
      ['MERCHANT_SETTLEMENT', '0.00', '100.00', '1250.50', '-1150.50'],
    ]);
    expect(january.trialBalance).toHaveLength(10);
    expect([january.lineCount, january.totals]).toEqual([8, { debits: '1950.50', credits: '1950.50', closing: '0.00' }]);
  });

  it("opens February with January's closing balances", () => {
    const february = trialBalance(journalOf(ledger), '2026-02-01', '2026-02-28');
    expect(moved(february)).toEqual([
      ['REVOLVING_PRINCIPAL_RECEIVABLE', '550.50', '0.00', '250.50', '300.00'],
      ['INSTALLMENT_PRINCIPAL_RECEIVABLE', '600.00', '0.00', '0.00', '600.00'],
      ['INTEREST_RECEIVABLE', '0.00', '12.34', '0.00', '12.34'],
      ['FEE_RECEIVABLE', '0.00', '1.50', '0.00', '1.50'],
      ['INTEREST_INCOME', '0.00', '0.00', '12.34', '-12.34'],
      ['FEE_INCOME', '0.00', '0.00', '1.50', '-1.50'],
      ['MERCHANT_SETTLEMENT', '-1150.50', '0.00', '0.00', '-1150.50'],
      ['REPAYMENT_CLEARING', '0.00', '300.00', '49.50', '250.50'],
    ]);
    expect([february.lineCount, february.totals]).toEqual([7, { debits: '313.84', credits: '313.84', closing: '0.00' }]);
  });

  it("opens a range that starts within a month with the months before it and that month's days before it", () => {
    const db = journalOf(ledger);
    expect(db.prepare('SELECT month, business_month, ledger_account, debits, credits, lines FROM journal_months ORDER BY month, business_month, ledger_account').all()).toEqual([
      { month: '2026-01', business_month: '2026-01', ledger_account: 'INSTALLMENT_PRINCIPAL_RECEIVABLE', debits: '600', credits: '0', lines: 1 },
      { month: '2026-01', business_month: '2026-01', ledger_account: 'MERCHANT_SETTLEMENT', debits: '100', credits: '1250.5', lines: 3 },
      { month: '2026-01', business_month: '2026-01', ledger_account: 'REVOLVING_PRINCIPAL_RECEIVABLE', debits: '1250.5', credits: '700', lines: 4 },
      // The statement posts on February 1st; the close of January 31st decided it.
      { month: '2026-02', business_month: '2026-01', ledger_account: 'FEE_INCOME', debits: '0', credits: '1.5', lines: 1 },
      { month: '2026-02', business_month: '2026-01', ledger_account: 'FEE_RECEIVABLE', debits: '1.5', credits: '0', lines: 1 },
      { month: '2026-02', business_month: '2026-01', ledger_account: 'INTEREST_INCOME', debits: '0', credits: '12.34', lines: 1 },
      { month: '2026-02', business_month: '2026-01', ledger_account: 'INTEREST_RECEIVABLE', debits: '12.34', credits: '0', lines: 1 },
      { month: '2026-02', business_month: '2026-02', ledger_account: 'REPAYMENT_CLEARING', debits: '300', credits: '49.5', lines: 2 },
      { month: '2026-02', business_month: '2026-02', ledger_account: 'REVOLVING_PRINCIPAL_RECEIVABLE', debits: '0', credits: '250.5', lines: 1 },
    ]);
    const fromTheSecond = trialBalance(db, '2026-02-02', '2026-02-28');
    expect(moved(fromTheSecond)).toEqual([
      ['REVOLVING_PRINCIPAL_RECEIVABLE', '550.50', '0.00', '250.50', '300.00'],
      ['INSTALLMENT_PRINCIPAL_RECEIVABLE', '600.00', '0.00', '0.00', '600.00'],
      ['INTEREST_RECEIVABLE', '12.34', '0.00', '0.00', '12.34'],
      ['FEE_RECEIVABLE', '1.50', '0.00', '0.00', '1.50'],
      ['INTEREST_INCOME', '-12.34', '0.00', '0.00', '-12.34'],
      ['FEE_INCOME', '-1.50', '0.00', '0.00', '-1.50'],
      ['MERCHANT_SETTLEMENT', '-1150.50', '0.00', '0.00', '-1150.50'],
      ['REPAYMENT_CLEARING', '0.00', '300.00', '49.50', '250.50'],
    ]);
    expect(fromTheSecond.lineCount).toBe(3);
  });

  it('equals a sum over every day kept, for ranges across a year end, in both datings', () => {
    // Draws every third day from November to February, repayments every fifth, and each month's
    // statement posted on the 1st, decided by the close of the month's last day (a year end among them).
    const events: ProjectionEvent[] = [];
    for (let day = 0; day < 90; day++) {
      const on = addDays('2025-11-12', day);
      if (day % 3 === 0) events.push(change('acc-y', 'DrawPosted', { on, amount: `${100 + day}.25` }));
      if (day % 5 === 0) events.push(change('acc-y', 'RepaymentReceived', { on, amount: '40.10', allocation: [{ target: 'UNBILLED_REVOLVING', amount: '40.10' }], returnedToCustomer: '0.00' }));
      if (on.endsWith('-01')) events.push(change('acc-y', 'StatementIssued', { on, interest: breakdown(`${day}.07`), penaltyInterest: breakdown('0.00'), fees: '0.00' }));
    }
    const db = journalOf(events);
    new BusinessDaysProjection().prepare(db);
    db.prepare("INSERT INTO business_days VALUES ('2026-02-10', '2026-02-11T00:05:00+08:00', 1, '{}', 1)").run();
    const rows = db.prepare('SELECT date, business_date, ledger_account, debits, credits, lines FROM journal_days').all() as { date: string; business_date: string; ledger_account: string; debits: string; credits: string; lines: number }[];
    const bySum = (from: string, to: string, column: 'date' | 'business_date') => {
      const figures = new Map<string, { opening: Money; debits: Money; credits: Money }>();
      let lines = 0;
      for (const r of rows) {
        const day = r[column];
        if (day > to) continue;
        const f = figures.get(r.ledger_account) ?? { opening: Money.ZERO, debits: Money.ZERO, credits: Money.ZERO };
        if (day < from) f.opening = f.opening.plus(Money.exact(r.debits)).minus(Money.exact(r.credits));
        else {
          f.debits = f.debits.plus(Money.exact(r.debits));
          f.credits = f.credits.plus(Money.exact(r.credits));
          lines += r.lines;
        }
        figures.set(r.ledger_account, f);
      }
      return { lines, figures };
    };
    let compared = 0;
    for (let start = 0; start < 90; start += 4) {
      for (const length of [0, 6, 19, 45]) {
        const from = addDays('2025-11-10', start);
        const to = addDays(from, length);
        if (to > '2026-02-10') continue;
        for (const [dateBy, column] of [['posting', 'date'], ['businessDay', 'business_date']] as const) {
          const tb = trialBalance(db, from, to, dateBy);
          const want = bySum(from, to, column);
          expect(tb.lineCount).toBe(want.lines);
          for (const line of tb.trialBalance) {
            const f = want.figures.get(line.ledgerAccount) ?? { opening: Money.ZERO, debits: Money.ZERO, credits: Money.ZERO };
            expect([line.ledgerAccount, line.opening, line.debits, line.credits]).toEqual([line.ledgerAccount, f.opening.toString(), f.debits.toString(), f.credits.toString()]);
          }
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
    // The year end's statement (its interest 50.07) is January's by posting date and December's by business day.
    const interest = (tb: ReturnType<typeof trialBalance>) => tb.trialBalance.find((r) => r.ledgerAccount === 'INTEREST_RECEIVABLE')?.debits;
    expect(interest(trialBalance(db, '2026-01-01', '2026-01-01'))).toBe('50.07');
    expect(interest(trialBalance(db, '2025-12-31', '2025-12-31', 'businessDay'))).toBe('50.07');
    expect(interest(trialBalance(db, '2025-12-31', '2025-12-31'))).toBe('0.00');
  });

  it('shows nothing for a range before the first posting, and only opening balances for one after the last', () => {
    const db = journalOf(ledger);
    const before = trialBalance(db, '2025-12-01', '2025-12-31');
    expect([moved(before), before.lineCount, before.totals]).toEqual([[], 0, { debits: '0.00', credits: '0.00', closing: '0.00' }]);
    const after = trialBalance(db, '2026-03-01', '2026-03-31');
    expect(after.lineCount).toBe(0);
    expect(after.trialBalance.every((r) => r.opening === r.closing && r.debits === '0.00' && r.credits === '0.00')).toBe(true);
    expect(after.trialBalance.find((r) => r.ledgerAccount === 'REPAYMENT_CLEARING')?.opening).toBe('250.50');
  });

  it('leaves the same table whatever the batches and whichever account is replayed first', () => {
    const projection = () => new JournalProjection();
    const whole = tablesAfter(projection(), ledger, ledger.length);
    expect(whole).toContain('"debits":"1250.5"');
    expect(tablesAfter(projection(), ledger, 1)).toBe(whole);
    expect(tablesAfter(projection(), ledger, 3)).toBe(whole);
    const byAccount = [...ledger.filter((e) => e.kind === 'account' && e.accountId === 'acc-b'), ...ledger.filter((e) => e.kind !== 'account' || e.accountId !== 'acc-b')];
    expect(tablesAfter(projection(), byAccount, 2)).toBe(whole);
  });

  it('refuses a date that is not a calendar date, and a range that ends before it starts, naming the field', () => {
    const db = journalOf(ledger);
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof QueryInputError ? error.field : error;
      }
      return 'none';
    };
    expect(refusal(() => trialBalance(db, '2026-02-30', '2026-03-31'))).toBe('from');
    expect(refusal(() => trialBalance(db, '2026-03-01', '2026-3-31'))).toBe('to');
    expect(refusal(() => trialBalance(db, '2026-03-02', '2026-03-01'))).toBe('to');
    expect(refusal(() => journalDays(db, '2024-01-01', '2026-03-01'))).toBe('to');
  });
});
