import { Dec } from '@ledger/credit';
import { accountChanges, tablesAfter } from '../testing/batch-equivalence';
import { readModelFixture } from '../testing/read-model-fixture';
import { PortfolioProjection } from './portfolio.projection';

/** Two accounts drawing 1,000.00 and 2,000.00 on 2026-01-05, January's statements issued. */
async function twoAccountsBilledForJanuary() {
  const fixture = readModelFixture();
  await fixture.sim.open('acc-1');
  await fixture.sim.open('acc-2');
  await fixture.sim.draw('acc-1', 'o-1', '1000.00');
  await fixture.sim.draw('acc-2', 'o-2', '2000.00');
  await fixture.sim.closeDaysThrough('2026-01-31');
  return fixture;
}

describe('the portfolio and limit review read models', () => {
  it('counts the application funnel by channel with every rejection reason', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.open('acc-2', {}, 'CUSTOMER_SERVICE');
    await sim.open('acc-3', { payScore: 500, paymentsLast6Months: 3 }, 'CUSTOMER_SERVICE');
    await catchUp();
    const { funnel, accountsByStatus, exposure } = queries.getPortfolio();
    expect(funnel.byChannel).toEqual({
      INVITED: { submitted: 1, approved: 1, rejected: 0 },
      CUSTOMER_SERVICE: { submitted: 2, approved: 1, rejected: 1 },
    });
    expect(funnel.rejectionReasons).toEqual({ PAY_SCORE_TOO_LOW: 1, INSUFFICIENT_ACTIVITY: 1 });
    expect(accountsByStatus).toEqual({ ACTIVE: 2, REJECTED: 1 });
    expect(exposure).toEqual({ accounts: 2, limit: '6000.00', available: '6000.00', drawable: '6000.00', restricted: { accounts: 0, available: '0.00', byReason: {} } });
    await runner.close();
  });

  it('tells apart the unused limit no customer can draw: accounts suspended, frozen for overdue or locked', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-ok');
    await sim.open('acc-suspended');
    await sim.open('acc-late');
    await sim.command('acc-suspended', { type: 'SuspendForRisk', reason: 'REMOTE_LOGIN', note: 'new device' });
    await sim.draw('acc-late', 'o-1', '1000.00');
    await sim.closeDaysThrough('2026-02-20');
    await catchUp();
    const { exposure } = queries.getPortfolio();
    const late = queries.getAccount('acc-late')!;
    expect(late.flags.frozen).toBe(true);
    expect(exposure).toEqual({
      accounts: 3,
      limit: '9000.00',
      available: new Dec('6000.00').plus(late.available).toFixed(2),
      drawable: '3000.00',
      restricted: {
        accounts: 2,
        available: new Dec('3000.00').plus(late.available).toFixed(2),
        byReason: { RISK_SUSPENDED: { accounts: 1, available: '3000.00' }, FROZEN_OVERDUE: { accounts: 1, available: late.available } },
      },
    });
    // Cured and cleared, both accounts can draw again.
    await sim.repay('acc-late', 'p-1', late.owed.total);
    await sim.command('acc-suspended', { type: 'ClearRiskSuspension', operator: 'ops' });
    await catchUp();
    expect(queries.getPortfolio().exposure.restricted).toEqual({ accounts: 0, available: '0.00', byReason: {} });
    await runner.close();
  });

  it('sums interest billed per month and outstanding by kind', async () => {
    const { queries, catchUp, runner } = await twoAccountsBilledForJanuary();
    await catchUp();
    const portfolio = queries.getPortfolio();
    expect(portfolio.billedByMonth).toEqual([
      { month: '2026-01', statements: 2, interest: '36.45', penaltyInterest: '0.00', fees: '0.00', reversedInterest: '0.00', reversedPenaltyInterest: '0.00', reversedFees: '0.00' },
    ]);
    expect(portfolio.outstanding).toEqual({
      revolvingUnbilled: '0.00',
      revolvingBilled: '3000.00',
      installment: '0.00',
      interest: '36.45',
      fees: '0.00',
      penalty: '0.00',
      total: '3036.45',
    });
    expect(portfolio.delinquency[0]).toEqual({
      bucket: 'CURRENT',
      accounts: 2,
      outstanding: '3036.45',
      overdue: '0.00',
      byKind: { MINIMUM_NOT_PAID: { accounts: 0, overdue: '0.00' }, DEFERRAL_LIMIT_REACHED: { accounts: 0, overdue: '0.00' } },
    });
    await runner.close();
  });

  it("counts what an upheld dispute gives back against the month that billed it", async () => {
    const { sim, queries, catchUp, runner } = await twoAccountsBilledForJanuary();
    await sim.command('acc-2', { type: 'OpenDispute', disputeId: 'dp-1', drawId: 'o-2', reason: 'not mine' });
    const events = await sim.command('acc-2', { type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'upheld' });
    await catchUp();
    const reversal = events.find((e) => e.type === 'DrawReversed');
    const given = reversal?.type === 'DrawReversed' ? reversal.data.charges! : undefined;
    // 2,000.00 from 01-05 to 01-31 at 0.045% a day: 27 days, 24.30 of January's 36.45.
    expect(given?.statements).toEqual([expect.objectContaining({ statementId: '2026-01', interest: '24.30' })]);
    expect(queries.getPortfolio().billedByMonth).toEqual([
      { month: '2026-01', statements: 2, interest: '36.45', penaltyInterest: '0.00', fees: '0.00', reversedInterest: '24.30', reversedPenaltyInterest: '0.00', reversedFees: '0.00' },
    ]);
    expect(queries.getPortfolio().outstanding.interest).toBe('12.15');
    await runner.close();
  });

  it('records each quarterly review with its inputs and counts decisions per quarter', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.open('acc-2');
    await sim.draw('acc-1', 'o-1', '2000.00');
    await sim.closeDaysThrough('2026-03-31');
    await catchUp();
    const review = sim.scenario('acc-1').lastOf('CreditLimitReviewed').data;
    expect(queries.getLimitReviews('acc-1')).toEqual([
      {
        accountId: 'acc-1',
        quarter: '2026-Q1',
        reviewedOn: '2026-04-01',
        inputs: review.inputs,
        decision: 'DECREASED',
        reasons: review.reasons,
        oldLimit: '3000.00',
        newLimit: review.newLimit,
        oldDailyRate: review.oldDailyRate,
        newDailyRate: review.newDailyRate,
        newPenaltyDailyRate: review.newPenaltyDailyRate,
        termsVersion: review.termsVersion,
      },
    ]);
    expect(queries.getPortfolio().limitChangesByQuarter).toEqual([
      {
        quarter: '2026-Q1',
        increased: 0,
        decreased: 1,
        unchanged: 1,
        netLimitChange: new Dec(review.newLimit).minus('3000.00').toFixed(2),
      },
    ]);
    expect(queries.getPortfolio().limitReviewReasons).toEqual([
      { quarter: '2026-Q1', decision: 'DECREASED', reason: 'OVERDUE_IN_QUARTER', accounts: 1 },
      { quarter: '2026-Q1', decision: 'UNCHANGED', reason: 'LOW_UTILIZATION', accounts: 1 },
      // acc-2 drew nothing and had no statement fall due: both hold against an increase.
      { quarter: '2026-Q1', decision: 'UNCHANGED', reason: 'NO_STATEMENT_DUE', accounts: 1 },
    ]);
    await runner.close();
  });

  it('keeps the delinquency buckets as they stood at each month end, for the trend', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.open('acc-2');
    await sim.draw('acc-1', 'o-1', '2000.00');
    await sim.closeDaysThrough('2026-03-31');
    await catchUp();
    const trend = queries.getPortfolio().delinquencyByMonth;
    const at = (month: string) => trend.filter((r) => r.month === month).map((r) => [r.bucket, r.accounts]);
    // acc-1 never pays its first statement (due 10 Feb): overdue from 11 Feb, day 19 at the end of
    // February (M1) and day 50 at the end of March (M2); acc-2 owes nothing.
    expect(at('2026-01')).toEqual([['CURRENT', 2]]);
    expect(at('2026-02')).toEqual([['CURRENT', 1], ['M1', 1]]);
    expect(at('2026-03')).toEqual([['CURRENT', 1], ['M2', 1]]);
    const march = trend.find((r) => r.month === '2026-03' && r.bucket === 'M2')!;
    expect(new Dec(march.overdue).greaterThan(0)).toBe(true);
    await runner.close();
  });

  it('splits each bucket’s overdue accounts by why their oldest overdue began, now and at each month end', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-late');
    await sim.open('acc-carry');
    await sim.draw('acc-late', 'o-1', '1000.00');
    await sim.draw('acc-carry', 'o-2', '2000.00');
    // acc-carry pays every minimum before its due date and never the rest: January's remainder falls
    // overdue when the 90 days after its due date (10 Feb) end, on 12 May. acc-late never pays.
    const payMinimum = (day: string) => sim.repay('acc-carry', `r-${day}`, sim.scenario('acc-carry').lastOf('StatementIssued').data.minimumRepayment);
    for (const [statementDay, payDay] of [['2026-01-31', '2026-02-04'], ['2026-02-28', '2026-03-04'], ['2026-03-31', '2026-04-04'], ['2026-04-30', '2026-05-04']]) {
      await sim.closeDaysThrough(statementDay);
      await sim.closeDaysThrough(payDay);
      await payMinimum(payDay);
    }
    await sim.closeDaysThrough('2026-05-31');
    await catchUp();
    const portfolio = queries.getPortfolio();
    const late = queries.getAccount('acc-late')!;
    const carry = queries.getAccount('acc-carry')!;
    expect([late.overdue.kind, late.overdue.bucket, carry.overdue.kind, carry.overdue.bucket]).toEqual(['MINIMUM_NOT_PAID', 'M3+', 'DEFERRAL_LIMIT_REACHED', 'M3+']);
    const m3plus = portfolio.delinquency.find((d) => d.bucket === 'M3+')!;
    expect(m3plus.accounts).toBe(2);
    expect(m3plus.byKind).toEqual({
      MINIMUM_NOT_PAID: { accounts: 1, overdue: late.overdue.amount },
      DEFERRAL_LIMIT_REACHED: { accounts: 1, overdue: carry.overdue.amount },
    });
    expect(portfolio.delinquency.find((d) => d.bucket === 'CURRENT')!.byKind).toEqual({
      MINIMUM_NOT_PAID: { accounts: 0, overdue: '0.00' },
      DEFERRAL_LIMIT_REACHED: { accounts: 0, overdue: '0.00' },
    });
    // At April's end acc-late was M3 (79 days past due) and acc-carry current; at May's both M3+.
    const kinds = (month: string) =>
      portfolio.delinquencyByMonth.filter((r) => r.month === month).map((r) => [r.bucket, r.byKind.MINIMUM_NOT_PAID.accounts, r.byKind.DEFERRAL_LIMIT_REACHED.accounts]);
    expect(kinds('2026-04')).toEqual([['CURRENT', 0, 0], ['M3', 1, 0]]);
    expect(kinds('2026-05')).toEqual([['M3+', 1, 1]]);

    // Paid in full, acc-carry leaves the split; acc-late stays.
    await sim.repay('acc-carry', 'r-all', carry.owed.total);
    await catchUp();
    expect(queries.getPortfolio().delinquency.find((d) => d.bucket === 'M3+')!.byKind).toEqual({
      MINIMUM_NOT_PAID: { accounts: 1, overdue: late.overdue.amount },
      DEFERRAL_LIMIT_REACHED: { accounts: 0, overdue: '0.00' },
    });
    await runner.close();
  });

  it('moves the figures by an account’s events alike in one batch, a batch an event, or with states that are not one chain', async () => {
    const { sim, store } = readModelFixture();
    await sim.open('acc-1');
    await sim.open('acc-2');
    await sim.draw('acc-1', 'o-1', '2000.00');
    await sim.draw('acc-2', 'o-2', '300.00');
    await sim.repay('acc-2', 'r-1', '300.00');
    await sim.closeDaysThrough('2026-03-31');
    const { chain, copies } = await accountChanges(store);
    expect(chain.length).toBeGreaterThan(10);
    const perEvent = tablesAfter(new PortfolioProjection(), chain, 1);
    expect(perEvent).toContain('"section":"outstanding"');
    expect(tablesAfter(new PortfolioProjection(), chain, chain.length)).toBe(perEvent);
    // A copy's before is equal to the state the last event left, not that object: the batch settles what
    // the account moved up to there and goes on from the copy, to the same figures.
    const mixed = chain.map((change, i) => (i % 3 === 1 ? copies[i] : change));
    expect(tablesAfter(new PortfolioProjection(), mixed, chain.length)).toBe(perEvent);
  });
});
