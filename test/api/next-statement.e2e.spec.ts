/**
 * `GET /accounts/:id/next-statement`: the cycle's statement as it stands. A customer who repays all the
 * account shows owed is still billed the cycle's interest at the month end; the preview is where that
 * shows, and what it shows is what billing then issues.
 */
import Decimal from 'decimal.js';
import { AccountRepository } from '@ledger/servicing';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

describe('the next statement so far', () => {
  let ledger: TestLedger;
  let account: string;
  let dailyRate: string;

  beforeAll(async () => {
    ledger = await startLedger();
    account = await openAccount(ledger, '1990-02-03', 31);
    dailyRate = (await ledger.http.get(`/accounts/${account}`).expect(200)).body.dailyRate;
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('N-1', '1000.00')).expect(201);
  });
  afterAll(async () => ledger.close());

  it('counts the interest of the closed days of the cycle, exact and as billing would round it', async () => {
    await ledger.closeDays('2026-01-02', '2026-01-14');
    const preview = (await ledger.as('viewer').get(`/accounts/${account}/next-statement`).expect(200)).body;
    // 2 to 14 January on 1,000.00.
    const exact = new Decimal('1000').times(dailyRate).times(13);
    expect(preview).toMatchObject({
      accountId: account,
      statementId: '2026-01',
      periodFrom: '2026-01-02',
      accruedThrough: '2026-01-14',
      asOf: '2026-01-15',
      dueDate: '2026-02-10',
      wouldIssue: true,
      newDraws: '1000.00',
      revolvingPrincipal: '1000.00',
      previousBalance: '0.00',
      installmentPeriods: [],
    });
    expect(new Decimal(preview.interest.exact).equals(exact)).toBe(true);
    expect(preview.interest.charged).toBe(exact.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2));
    const balance = new Decimal('1000').plus(preview.interest.charged);
    expect(preview.statementBalance).toBe(balance.toFixed(2));
    expect(preview.minimumRepayment).toBe(balance.times('0.1').toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(2));
  });

  it('shows the interest still to be billed after the customer repays everything the account shows owed', async () => {
    const owed = (await ledger.http.get(`/accounts/${account}`).expect(200)).body.owed.total;
    expect(owed).toBe('1000.00');
    await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'N-pay', amount: owed, channel: 'MANUAL' }).expect(201);
    expect((await ledger.http.get(`/accounts/${account}`).expect(200)).body.owed.total).toBe('0.00');
    const preview = (await ledger.http.get(`/accounts/${account}/next-statement`).expect(200)).body;
    expect(preview.revolvingPrincipal).toBe('0.00');
    expect(new Decimal(preview.interest.charged).isPositive()).toBe(true);
    expect(preview.statementBalance).toBe(preview.interest.charged);
  });

  it('is what the month end then bills', async () => {
    await ledger.closeDays('2026-01-15', '2026-01-30');
    const preview = (await ledger.http.get(`/accounts/${account}/next-statement`).expect(200)).body;
    expect(preview.accruedThrough).toBe('2026-01-30');
    // The month end's close reaches this account before the day is recorded closed, as one under way does
    // for each account it has done: the preview is of February's cycle then, not January's figures again.
    await ledger.setClock('2026-02-01T00:05:00+08:00');
    await ledger.app.get(AccountRepository).execute(account, { type: 'CloseBusinessDay', businessDate: '2026-01-31' }, { commandId: 'eod:2026-01-31', actor: 'system', now: '2026-01-31T23:59:59+08:00' });
    const midClose = (await ledger.http.get(`/accounts/${account}/next-statement`).expect(200)).body;
    expect(midClose).toMatchObject({ statementId: '2026-02', periodFrom: '2026-02-01', accruedThrough: '2026-01-31', asOf: '2026-02-01', previousBalance: preview.statementBalance });
    expect(midClose.interest.exact).toBe('0');
    await ledger.closeDays('2026-01-31', '2026-01-31');
    const issued = (await ledger.http.get(`/accounts/${account}/statements/2026-01`).expect(200)).body;
    // Nothing bore interest after the repayment, so the last day adds nothing.
    for (const field of ['statementId', 'periodFrom', 'dueDate', 'newDraws', 'revolvingPrincipal', 'interest', 'penaltyInterest', 'fees', 'previousBalance', 'statementBalance', 'minimumRepayment', 'termsVersion']) {
      expect([field, issued[field]]).toEqual([field, preview[field]]);
    }
    // The next cycle has not closed a day yet: nothing accrued, nothing to issue.
    const next = (await ledger.http.get(`/accounts/${account}/next-statement`).expect(200)).body;
    expect(next).toMatchObject({ statementId: '2026-02', periodFrom: '2026-02-01', accruedThrough: '2026-01-31', asOf: '2026-02-01', revolvingPrincipal: '0.00', previousBalance: issued.statementBalance });
    expect(next.interest.charged).toBe('0.00');
  });

  it('refuses an account with no statement to come, and an unknown one', async () => {
    const rejected = await ledger.http.post('/applications').send(application('1992-03-04', 32, { payScore: 580 })).expect(201);
    const refused = await ledger.http.get(`/accounts/${rejected.body.accountId}/next-statement`).expect(422);
    expect(refused.body).toMatchObject({ error: 'ACCOUNT_NOT_ACTIVE' });
    await ledger.http.get('/accounts/acc_00000000000000000000/next-statement').expect(404);
  });
});
