/**
 * GET /portfolio/trial-balance and /portfolio/journal-days on a simulated ledger, against `generalLedger`
 * (what `ledger gl` prints), which reads the whole log: the read model must give the same trial balance
 * over any range, with totals that balance, to a viewer, after the caller's own writes.
 */
import { CommandBus } from '@nestjs/cqrs';
import { Money } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { AccountRepository, BusinessClock, PortfolioSimulator } from '@ledger/servicing';
import { generalLedger } from '@ledger/servicing/audit';
import type { JournalDay, TrialBalanceView } from '@ledger/projections';
import { draw, startLedger, type TestLedger } from '../support/ledger-app';

jest.setTimeout(180_000);

describe('the trial balance read model over HTTP', () => {
  let ledger: TestLedger;
  let lastClosed: string;

  beforeAll(async () => {
    ledger = await startLedger();
    const clock = ledger.app.get(BusinessClock);
    const simulator = new PortfolioSimulator(ledger.app.get(CommandBus), ledger.app.get(AccountRepository), clock);
    // January to April: draws, installments, refunds, disputes, repayments, statements on each 1st, overdues.
    lastClosed = (await simulator.run({ accounts: 30, months: 4, seed: 11, start: clock.businessDate() })).lastClosed;
  });
  afterAll(async () => ledger?.close());

  const trialBalance = async (from: string, to: string, role: 'operator' | 'viewer' = 'viewer') => {
    const res = await ledger.as(role).get(`/portfolio/trial-balance?from=${from}&to=${to}`);
    expect([from, to, res.status]).toEqual([from, to, 200]);
    return res.body as TrialBalanceView;
  };

  it.each([
    ['one day of draws', '2026-02-17', '2026-02-17'],
    ['a month', '2026-02-01', '2026-02-28'],
    ["a statement day, when the month end's charges post", '2026-03-01', '2026-03-01'],
    ['a range across a month end', '2026-03-15', '2026-04-14'],
    ['the whole history', '2020-01-01', '2030-12-31'],
    ['a range before any event', '2025-01-01', '2025-12-31'],
  ])('gives for %s the trial balance ledger gl gives, balanced', async (_name, from, to) => {
    const answer = await trialBalance(from, to);
    const gl = await generalLedger(ledger.app.get(EventStore), from, to);
    expect({ lineCount: answer.lineCount, trialBalance: answer.trialBalance, totals: answer.totals }).toEqual({ lineCount: gl.lineCount, trialBalance: gl.trialBalance, totals: gl.totals });
    expect([answer.from, answer.to, answer.dateBy, answer.lastClosedBusinessDay]).toEqual([from, to, 'posting', lastClosed]);
    expect(answer.totals.debits).toBe(answer.totals.credits);
    expect(answer.totals.closing).toBe('0.00');
    expect(Money.sum(answer.trialBalance.map((r) => Money.of(r.opening))).toString()).toBe('0.00');
  });

  it.each([
    ['a month end, as of its close: the statements it issued, dated the 1st', '2026-03-31', '2026-03-31'],
    ['the 1st after it, which the statements no longer fall on', '2026-04-01', '2026-04-01'],
    ['a month as of its last close', '2026-02-01', '2026-02-28'],
    ['everything to the last close', '2020-01-01', 'lastClosed'],
  ])('gives by business day for %s the trial balance ledger gl --by business-day gives', async (_name, from, until) => {
    const to = until === 'lastClosed' ? lastClosed : until;
    const res = await ledger.as('viewer').get(`/portfolio/trial-balance?from=${from}&to=${to}&dateBy=businessDay`).expect(200);
    const answer = res.body as TrialBalanceView;
    const gl = await generalLedger(ledger.app.get(EventStore), from, to, { dateBy: 'businessDay' });
    expect({ dateBy: answer.dateBy, lineCount: answer.lineCount, trialBalance: answer.trialBalance, totals: answer.totals }).toEqual({ dateBy: 'businessDay', lineCount: gl.lineCount, trialBalance: gl.trialBalance, totals: gl.totals });
  });

  it("puts a month end's statements in its own month by business day, and on the 1st by posting date", async () => {
    const income = (tb: TrialBalanceView) => tb.trialBalance.find((r) => r.ledgerAccount === 'INTEREST_INCOME')!.credits;
    const asOfClose = (await ledger.as('viewer').get('/portfolio/trial-balance?from=2026-03-31&to=2026-03-31&dateBy=businessDay').expect(200)).body as TrialBalanceView;
    const posted = await trialBalance('2026-04-01', '2026-04-01');
    expect(income(asOfClose)).not.toBe('0.00');
    expect(income(asOfClose)).toBe(income(posted));
    expect(income(await trialBalance('2026-03-31', '2026-03-31'))).toBe('0.00');
  });

  it('refuses by business day a day not closed, and a dating it does not know, naming the field', async () => {
    const open = await ledger.as('viewer').get(`/portfolio/trial-balance?from=2026-01-01&to=2030-12-31&dateBy=businessDay`);
    expect([open.status, open.body.details?.[0]?.field, open.body.message]).toEqual([400, 'to', expect.stringContaining(`business day 2030-12-31 has not closed (the last closed is ${lastClosed})`)]);
    const unknown = await ledger.as('viewer').get('/portfolio/trial-balance?from=2026-01-01&to=2026-01-31&dateBy=business-day');
    expect([unknown.status, unknown.body.details?.[0]?.field]).toEqual([400, 'dateBy']);
  });

  it('has something to compare: lines in the ranges with activity, none before the first event', async () => {
    expect((await trialBalance('2026-02-17', '2026-02-17')).lineCount).toBeGreaterThan(0);
    expect((await trialBalance('2026-03-01', '2026-03-01')).trialBalance.find((r) => r.ledgerAccount === 'INTEREST_INCOME')?.credits).not.toBe('0.00');
    const whole = await trialBalance('2020-01-01', '2030-12-31');
    expect(whole.lineCount).toBeGreaterThan(500);
    expect(whole.trialBalance.filter((r) => r.closing !== '0.00').length).toBeGreaterThan(5);
    expect((await trialBalance('2025-01-01', '2025-12-31')).lineCount).toBe(0);
  });

  it("lists each day's debits and credits per ledger account, adding up to the trial balance of the range", async () => {
    const res = await ledger.as('viewer').get('/portfolio/journal-days?from=2026-02-01&to=2026-02-28').expect(200);
    const days = res.body as JournalDay[];
    const month = await trialBalance('2026-02-01', '2026-02-28');
    expect(new Set(days.map((d) => d.date)).size).toBeGreaterThan(10);
    for (const line of month.trialBalance) {
      const own = days.filter((d) => d.ledgerAccount === line.ledgerAccount);
      expect([line.ledgerAccount, Money.sum(own.map((d) => Money.of(d.debits))).toString(), Money.sum(own.map((d) => Money.of(d.credits))).toString()]).toEqual([line.ledgerAccount, line.debits, line.credits]);
    }
    expect(days.reduce((n, d) => n + d.lineCount, 0)).toBe(month.lineCount);
  });

  it("reads the caller's own write: a draw just taken is in the day's debits", async () => {
    const { items } = (await ledger.http.get('/accounts?status=ACTIVE&limit=50').expect(200)).body as { items: { accountId: string; flags: { frozen: boolean; suspended: boolean; paymentLocked: boolean } }[] };
    const drawable = items.find((a) => !a.flags.frozen && !a.flags.suspended && !a.flags.paymentLocked)!;
    const today = (await ledger.http.get('/operations/clock').expect(200)).body.businessDate as string;
    const before = await trialBalance(today, today);
    const posted = await ledger.http.post(`/accounts/${drawable.accountId}/draws`).send(draw('TB-1', '12.34')).expect(201);
    expect(posted.body.status).toBe('POSTED');
    const after = await trialBalance(today, today);
    const revolving = (tb: TrialBalanceView) => Money.of(tb.trialBalance.find((r) => r.ledgerAccount === 'REVOLVING_PRINCIPAL_RECEIVABLE')!.debits);
    expect(revolving(after).minus(revolving(before)).toString()).toBe('12.34');
    expect(after.lineCount - before.lineCount).toBe(2);
  });

  it('refuses a date that is not one, and a range that ends before it starts, with 400 naming the field', async () => {
    const refusal = async (query: string) => {
      const res = await ledger.as('viewer').get(`/portfolio/trial-balance?${query}`);
      return [res.status, res.body.error, res.body.details?.[0]?.field];
    };
    expect(await refusal('from=2026-02-30&to=2026-03-31')).toEqual([400, 'VALIDATION_FAILED', 'from']);
    expect(await refusal('from=2026-03-01&to=31-03-2026')).toEqual([400, 'VALIDATION_FAILED', 'to']);
    expect(await refusal('from=2026-03-02&to=2026-03-01')).toEqual([400, 'VALIDATION_FAILED', 'to']);
    expect(await refusal('to=2026-03-01')).toEqual([400, 'VALIDATION_FAILED', 'from']);
    const days = await ledger.as('viewer').get('/portfolio/journal-days?from=2024-01-01&to=2026-03-01');
    expect([days.status, days.body.details?.[0]?.field]).toEqual([400, 'to']);
  });
});
