/**
 * A full life over HTTP on the embedded SQLite store: applications, activation, draws and every
 * decline, refunds, installments, 13 months of statements, auto-debits, overdue, freeze, cure, and
 * quarterly reviews. Expected figures come from the calendar and the product terms, not from the code.
 */
import { daysInMonth, Money, nextMonth } from '@ledger/credit';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

jest.setTimeout(180_000);

/** Interest on 1,000.00 for a whole month at 0.05% a day, by hand: 0.50 a day. */
function monthInterest(month: string): string {
  const days = daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)));
  return `${Math.floor(days / 2)}.${days % 2 === 0 ? '00' : '50'}`;
}

describe('a ledger servicing two customers for thirteen months', () => {
  let ledger: TestLedger;
  let a: string;
  let b: string;

  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => ledger.close());

  it('rejects an applicant below the pay score threshold with the reason code', async () => {
    const res = await ledger.http.post('/applications').send(application('1992-03-04', 11, { payScore: 580 }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ decision: 'REJECTED', reasons: ['PAY_SCORE_TOO_LOW'] });
    // Support reads why, and when the applicant may come back, from the account itself.
    const rejectedOn = (await ledger.http.get('/operations/clock').expect(200)).body.businessDate;
    const account = (await ledger.as('viewer').get(`/accounts/${res.body.accountId}`).expect(200)).body;
    expect([account.status, account.rejection]).toEqual(['REJECTED', { reasons: ['PAY_SCORE_TOO_LOW'], reapplyWaitFrom: rejectedOn }]);
    // Too soon, and short of activity too: every reason, and the wait still counts from the first rejection.
    const again = await ledger.http.post('/applications').send(application('1992-03-04', 11, { payScore: 650, paymentsLast6Months: 3 })).expect(201);
    expect(again.body.reasons).toEqual(expect.arrayContaining(['REAPPLY_TOO_SOON', 'INSUFFICIENT_ACTIVITY']));
    const still = (await ledger.http.get(`/accounts/${res.body.accountId}`).expect(200)).body.rejection;
    expect(still).toEqual({ reasons: again.body.reasons, reapplyWaitFrom: rejectedOn });
  });

  it('approves applicants with the limit and the daily and annual rate of their tier', async () => {
    const res = await ledger.http.post('/applications').send(application('1988-07-21', 12));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ decision: 'APPROVED', limit: '2000.00', dailyRate: '0.0005', annualRate: '0.1825', annualRatePercent: '18.25%' });
    a = res.body.accountId;
    const activation = await ledger.http.post(`/accounts/${a}/activation`).send({ agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' });
    expect(activation.status).toBe(201);
    b = await openAccount(ledger, '1990-11-02', 13);
    expect((await ledger.http.get(`/accounts/${a}`).expect(200)).body.rejection).toBeNull();
  });

  it('posts a draw and returns the same outcome, appending nothing, when it is retried', async () => {
    const first = await ledger.http.post(`/accounts/${a}/draws`).send(draw('A-2026-01', '1000.00'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'POSTED', replayed: false, account: { available: '1000.00' } });
    const retry = await ledger.http.post(`/accounts/${a}/draws`).send(draw('A-2026-01', '1000.00'));
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ status: 'POSTED', replayed: true, position: first.body.position });
    const conflict = await ledger.http.post(`/accounts/${a}/draws`).send(draw('A-2026-01', '999.00'));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD');
  });

  it('declines draws with each reason code and records them', async () => {
    const over = await ledger.http.post(`/accounts/${a}/draws`).send(draw('A-over', '1000.01'));
    expect(over.status).toBe(200);
    expect(over.body).toMatchObject({ status: 'DECLINED', reason: 'INSUFFICIENT_CREDIT' });
    const failed = await ledger.http.post(`/accounts/${a}/draws`).send(draw('A-bad-pin', '10.00', 'PASSWORD', false));
    expect(failed.body.reason).toBe('AUTHENTICATION_FAILED');
    const controls = async () => (await ledger.http.get(`/accounts/${a}/controls`).expect(200)).body;
    expect(await controls()).toEqual({ accountId: a, singleTransactionLimit: null, nightLock: false });
    await ledger.http.put(`/accounts/${a}/controls`).send({ singleTransactionLimit: '50.00', nightLock: true }).expect(200);
    // What the next draw is decided on, read at once (from the account's events, not the read models).
    expect(await controls()).toEqual({ accountId: a, singleTransactionLimit: '50.00', nightLock: true });
    expect((await ledger.http.post(`/accounts/${a}/draws`).send(draw('A-limit', '50.01'))).body.reason).toBe('OVER_TRANSACTION_LIMIT');
    await ledger.setClock('2026-01-02T23:30:00+08:00');
    expect((await ledger.http.post(`/accounts/${a}/draws`).send(draw('A-night', '10.00'))).body.reason).toBe('NIGHT_LOCK');
    await ledger.http.put(`/accounts/${a}/controls`).send({ singleTransactionLimit: null, nightLock: false }).expect(200);
    expect(await controls()).toEqual({ accountId: a, singleTransactionLimit: null, nightLock: false });
    expect((await ledger.http.get('/accounts/acc_nobody/controls')).body).toMatchObject({ error: 'ACCOUNT_NOT_FOUND', details: [{ id: 'acc_nobody' }] });
  });

  it('converts a draw into installments and refunds part of another on account B', async () => {
    const big = await ledger.http.post(`/accounts/${b}/draws`).send(draw('B-sofa', '600.00'));
    expect(big.status).toBe(201);
    const quote = await ledger.http.get(`/accounts/${b}/installment-quote?amount=600.00&periods=3`);
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ feePerPeriod: '3.00', totalFee: '9.00', apr: '0.0898', aprPercent: '8.98%' });
    const plan = await ledger.http.post(`/accounts/${b}/draws/B-sofa/installments`).send({ periods: 3 });
    expect(plan.status).toBe(201);
    await ledger.http.post(`/accounts/${b}/draws`).send(draw('B-shoes', '400.00')).expect(201);
    const refund = await ledger.http.post(`/accounts/${b}/draws/B-shoes/refunds`).send({ refundId: 'RF-1', amount: '100.00' });
    expect(refund.status).toBe(201);
    expect(refund.body.account.owed).toBe('900.00');
  });

  it('bills thirteen statements with the exact interest, minimum and due date, auto-debited each month', async () => {
    let month = '2026-01';
    for (let i = 0; i < 13; i++) {
      const lastDay = `${month}-${String(daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)))).padStart(2, '0')}`;
      await ledger.closeDays(i === 0 ? '2026-01-02' : `${month}-01`, lastDay);
      const res = await ledger.http.get(`/accounts/${a}/statements/${month}`);
      expect(res.status).toBe(200);
      // January's draw came on the 2nd (30 days); every later one on the 1st, for the whole month.
      const interest = i === 0 ? '15.00' : monthInterest(month);
      const balance = Money.of('1000.00').plus(Money.of(interest));
      expect(res.body).toMatchObject({
        statementId: month,
        dueDate: `${nextMonth(month)}-10`,
        revolvingPrincipal: '1000.00',
        interest: { charged: interest },
        statementBalance: balance.toString(),
        minimumRepayment: balance.times('0.1').ceilToFen().toString(),
      });
      // On the statement day the bank answers the auto-debit in full, then the customer spends again.
      await ledger.http.post(`/accounts/${a}/repayments`).send({ reference: `auto-${month}`, amount: res.body.statementBalance, channel: 'AUTO_DEBIT' }).expect(201);
      month = nextMonth(month);
      if (i < 12) await ledger.http.post(`/accounts/${a}/draws`).send(draw(`A-${month}`, '1000.00')).expect(201);
    }
  });

  it('raised the limit of the customer who paid on time at the quarterly review', async () => {
    const res = await ledger.http.get(`/accounts/${a}/limit-reviews`);
    expect(res.status).toBe(200);
    expect(res.body.reviews[0]).toMatchObject({ quarter: '2026-Q1', decision: 'INCREASED', oldLimit: '2000.00', newLimit: '2400.00' });
    expect(res.body.reviews[1]).toMatchObject({ quarter: '2026-Q2', decision: 'INCREASED', oldLimit: '2400.00', newLimit: '2800.00' });
  });

  it('lowered the limit of the customer who never paid, now non-performing', async () => {
    const reviews = await ledger.http.get(`/accounts/${b}/limit-reviews`);
    expect(reviews.body.reviews[0]).toMatchObject({ quarter: '2026-Q1', decision: 'DECREASED', oldLimit: '2000.00', newLimit: '1600.00' });
    const account = await ledger.http.get(`/accounts/${b}`);
    expect(account.body).toMatchObject({ overdue: { bucket: 'M3+' }, flags: { frozen: true } });
  });
});

describe('an account that misses its first minimum repayment', () => {
  let ledger: TestLedger;
  let c: string;

  beforeAll(async () => {
    ledger = await startLedger();
    c = await openAccount(ledger, '1995-02-14', 21);
    await ledger.http.post(`/accounts/${c}/draws`).send(draw('C-1', '400.00')).expect(201);
  });
  afterAll(async () => ledger.close());

  it('is overdue from the day after the due date, in M1, not yet frozen', async () => {
    await ledger.closeDays('2026-01-02', '2026-02-10');
    const res = await ledger.http.get(`/accounts/${c}`);
    expect(res.body).toMatchObject({ overdue: { daysPastDue: 1, bucket: 'M1', amount: '40.60' }, flags: { frozen: false } });
  });

  it('is frozen on day 4 and declines draws', async () => {
    await ledger.closeDays('2026-02-11', '2026-02-13');
    expect((await ledger.http.get(`/accounts/${c}`)).body).toMatchObject({ overdue: { daysPastDue: 4 }, flags: { frozen: true } });
    const declined = await ledger.http.post(`/accounts/${c}/draws`).send(draw('C-2', '10.00'));
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ status: 'DECLINED', reason: 'ACCOUNT_NOT_ACTIVE', detail: 'FROZEN_OVERDUE' });
  });

  it('is cured by paying the overdue amount, unfrozen, and can draw again', async () => {
    const paid = await ledger.http.post(`/accounts/${c}/repayments`).send({ reference: 'C-pay-1', amount: '40.60', channel: 'MANUAL' });
    expect(paid.status).toBe(201);
    expect(paid.body.events.map((e: { type: string }) => e.type)).toEqual(['RepaymentReceived', 'MinimumRepaymentMet', 'OverdueCured', 'AccountUnfrozen', 'DelinquencyBucketChanged']);
    expect((await ledger.http.get(`/accounts/${c}`)).body).toMatchObject({ overdue: { daysPastDue: 0, bucket: 'CURRENT', amount: '0.00' }, flags: { frozen: false } });
    expect((await ledger.http.post(`/accounts/${c}/draws`).send(draw('C-3', '10.00'))).status).toBe(201);
  });

  it('refuses a manual repayment above all that is owed, and writes nothing', async () => {
    const res = await ledger.http.post(`/accounts/${c}/repayments`).send({ reference: 'C-pay-2', amount: '5000.00', channel: 'MANUAL' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'REPAYMENT_EXCEEDS_BALANCE' });
  });
});

describe('a customer whose stolen draw is upheld as fraud (全额赔付)', () => {
  let ledger: TestLedger;
  let d: string;

  beforeAll(async () => {
    ledger = await startLedger();
    d = await openAccount(ledger, '1993-07-21', 31);
    await ledger.http.post(`/accounts/${d}/draws`).send(draw('D-stolen', '400.00')).expect(201);
    // Nothing paid: overdue from 02-11, frozen from 02-14 (decided by 02-13's close).
    await ledger.closeDays('2026-01-02', '2026-02-13');
  });
  afterAll(async () => ledger.close());

  it('is overdue and frozen over the stolen draw and its interest', async () => {
    expect((await ledger.http.get(`/accounts/${d}`)).body).toMatchObject({ owed: { total: '406.00', interest: '6.00' }, overdue: { bucket: 'M1' }, flags: { frozen: true } });
  });

  it('owes nothing once the dispute is upheld: principal, interest and penalty interest reversed, the overdue cured', async () => {
    await ledger.http.post(`/accounts/${d}/disputes`).send({ disputeId: 'DP-1', drawId: 'D-stolen', reason: 'not my purchase' }).expect(201);
    const res = await ledger.http.post(`/accounts/${d}/disputes/DP-1/resolution`).send({ upheld: true, note: 'confirmed fraud' });
    expect(res.status).toBe(201);
    const reversal = res.body.events.find((e: { type: string }) => e.type === 'DrawReversed');
    // By hand, at 0.05% a day on 400.00: January's 30 days billed (6.00); 02-01..02-10 at the daily rate
    // (10 x 0.20) and 02-11..02-13 overdue at the penalty rate, 1.5 x 0.05% capped at 0.065% (3 x 0.26), not yet billed.
    expect(reversal.data).toMatchObject({
      amount: '400.00',
      returnedToCustomer: '0.00',
      charges: { interest: '6.00', penaltyInterest: '0.00', fees: '0.00', unbilledInterest: '2', unbilledPenaltyInterest: '0.78' },
      // January's balance was the draw and its interest; without them its minimum (10% of 406.00) is nothing.
      minimums: { drawBalances: [{ statementId: '2026-01', amount: '406.00' }], lowered: [{ statementId: '2026-01', from: '40.60', to: '0.00' }] },
    });
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['DrawReversed', 'OverdueCured', 'AccountUnfrozen']));
    expect((await ledger.http.get(`/accounts/${d}`)).body).toMatchObject({ owed: { total: '0.00' }, overdue: { amount: '0.00', bucket: 'CURRENT' }, flags: { frozen: false } });
    // The statement keeps the minimum it asked for, and shows the one the dispute set again.
    expect((await ledger.http.get(`/accounts/${d}/statements/2026-01`)).body).toMatchObject({ minimumRepayment: '40.60', minimumLoweredTo: '0.00', status: 'PAID' });
  });

  it('lists the dispute with what its reversal did, for operators and auditors only', async () => {
    const res = await ledger.http.get(`/accounts/${d}/disputes`);
    expect(res.status).toBe(200);
    expect(res.body.disputes).toEqual([
      expect.objectContaining({
        disputeId: 'DP-1',
        drawId: 'D-stolen',
        status: 'UPHELD',
        openedOn: '2026-02-14',
        resolvedOn: '2026-02-14',
        reversal: expect.objectContaining({
          amount: '400.00',
          returnedToCustomer: '0.00',
          charges: expect.objectContaining({ interest: '6.00', unbilledPenaltyInterest: '0.78' }),
          minimums: expect.objectContaining({ lowered: [{ statementId: '2026-01', from: '40.60', to: '0.00' }] }),
        }),
      }),
    ]);
    expect((await ledger.as('auditor').get(`/accounts/${d}/disputes`)).status).toBe(200);
    expect((await ledger.as('viewer').get(`/accounts/${d}/disputes`)).status).toBe(403);
    expect((await ledger.http.get('/accounts/acc_nope/disputes')).status).toBe(404);
  });

  it("counts the portfolio's disputes for a viewer: open until resolved, upheld or rejected in their month, and the draws reversed", async () => {
    const before = (await ledger.as('viewer').get('/portfolio').expect(200)).body.disputes;
    expect(before).toEqual({ open: 0, byMonth: [{ month: '2026-02', opened: 1, upheld: 1, rejected: 0, reversed: '400.00' }] });
    await ledger.http.post(`/accounts/${d}/draws`).send(draw('D-mine', '25.00')).expect(201);
    await ledger.http.post(`/accounts/${d}/disputes`).send({ disputeId: 'DP-2', drawId: 'D-mine', reason: 'do not recognise it' }).expect(201);
    expect((await ledger.as('viewer').get('/portfolio').expect(200)).body.disputes).toEqual({ open: 1, byMonth: [{ month: '2026-02', opened: 2, upheld: 1, rejected: 0, reversed: '400.00' }] });
    await ledger.http.post(`/accounts/${d}/disputes/DP-2/resolution`).send({ upheld: false, note: 'the customer signed for it' }).expect(201);
    expect((await ledger.as('viewer').get('/portfolio').expect(200)).body.disputes).toEqual({ open: 0, byMonth: [{ month: '2026-02', opened: 2, upheld: 1, rejected: 1, reversed: '400.00' }] });
    await ledger.http.post(`/accounts/${d}/repayments`).send({ reference: 'R-mine', amount: '25.00', channel: 'MANUAL' }).expect(201);
  });

  it("bills nothing for the stolen draw's days on the next statement", async () => {
    await ledger.closeDays('2026-02-14', '2026-02-28');
    const res = await ledger.http.get(`/accounts/${d}/statements/2026-02`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      interest: { exact: '2', reversed: '2', charged: '0.00' },
      penaltyInterest: { exact: '0.78', reversed: '0.78', charged: '0.00' },
      statementBalance: '0.00',
    });
  });
});
