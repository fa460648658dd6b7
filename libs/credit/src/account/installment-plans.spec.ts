import { AccountScenario } from '../testing/account-scenario';
import { type InstallmentPlanSummary, installmentPlanSummaries } from './installment-plans';

/** Pay score 750: limit 5,000.00; draws on 2 January. */
const opened = () => new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 750 });
const converted = (s: AccountScenario, drawId: string, amount: string, periods = 3) => {
  s.draw(drawId, amount);
  s.execute({ type: 'ConvertToInstallments', drawId, periods });
  return s;
};
const summaries = (s: AccountScenario) => installmentPlanSummaries(s.state, s.history);
const figures = (p: InstallmentPlanSummary) => ({
  planId: p.plan.planId,
  periodsBilled: p.periodsBilled,
  periodsLeft: p.periodsLeft,
  billed: [p.billedPrincipal.toString(), p.billedFees.toString()],
  toBill: [p.principalToBill.toString(), p.feesToBill.toString()],
  ended: p.ended,
});
const payoffOf = (p: InstallmentPlanSummary) =>
  p.payoffToday && { principalAccelerated: p.payoffToday.principalAccelerated.toString(), feeKept: p.payoffToday.feeKept.toString(), feesWaived: p.payoffToday.feesWaived.toString() };

describe("an account's installment plans", () => {
  it('shows an open plan with what its statements billed, what is left, and the payoff the command then records', () => {
    const s = converted(opened(), 'o-1', '1200.00');
    s.closeDaysThrough('2026-02-04');
    const [plan] = summaries(s);
    expect(plan.createdOn).toBe('2026-01-02');
    expect(figures(plan)).toEqual({ planId: 'o-1', periodsBilled: 1, periodsLeft: 2, billed: ['400.00', '6.00'], toBill: ['800.00', '12.00'], ended: null });
    const quote = payoffOf(plan);
    expect(quote).toEqual({ principalAccelerated: '800.00', feeKept: '6.00', feesWaived: '6.00' });
    const [payoff] = s.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    expect(payoff.data).toMatchObject(quote!);
  });

  it('lists a paid-off plan as ended on the payoff day, with no payoff to quote, its remainder still to bill until the next statement', () => {
    const s = converted(opened(), 'o-1', '1200.00');
    s.closeDaysThrough('2026-02-04');
    s.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    const [paidOff] = summaries(s);
    expect(figures(paidOff)).toEqual({ planId: 'o-1', periodsBilled: 1, periodsLeft: 0, billed: ['400.00', '6.00'], toBill: ['800.00', '6.00'], ended: { on: '2026-02-05', reason: 'PAID_OFF_EARLY' } });
    expect(paidOff.payoffToday).toBeNull();
    s.closeDaysThrough('2026-02-28');
    expect(figures(summaries(s)[0])).toMatchObject({ periodsBilled: 2, billed: ['1200.00', '12.00'], toBill: ['0.00', '0.00'], ended: { on: '2026-02-05', reason: 'PAID_OFF_EARLY' } });
  });

  it('ends a plan on the statement that bills its last period', () => {
    const s = converted(opened(), 'o-1', '1000.00');
    s.closeDaysThrough('2026-03-31');
    expect(figures(summaries(s)[0])).toMatchObject({ periodsBilled: 3, periodsLeft: 0, billed: ['1000.00', '15.00'], ended: { on: '2026-04-01', reason: 'BILLED_IN_FULL' } });
  });

  it('ends a plan refunded to nothing on the refund, with nothing billed', () => {
    const s = converted(opened(), 'o-1', '600.00');
    s.at('2026-01-10');
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '600.00' });
    expect(figures(summaries(s)[0])).toEqual({ planId: 'o-1', periodsBilled: 0, periodsLeft: 0, billed: ['0.00', '0.00'], toBill: ['0.00', '0.00'], ended: { on: '2026-01-10', reason: 'REFUNDED' } });
  });

  it('keeps a partly refunded plan open, and ends one whose last unbilled principal a repayment takes as prepaid', () => {
    const s = converted(opened(), 'o-1', '900.00');
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '100.00' });
    expect(figures(summaries(s)[0])).toMatchObject({ ended: null, toBill: ['800.00', '13.50'] });
    s.at('2026-01-12');
    s.repay('r-1', '800.00');
    expect(figures(summaries(s)[0])).toMatchObject({ ended: { on: '2026-01-12', reason: 'PREPAID' }, toBill: ['0.00', '0.00'] });
  });

  it('counts only the periods still to be billed after a refund emptied the last ones', () => {
    const s = converted(opened(), 'o-1', '900.00');
    s.at('2026-01-10');
    // The refund takes the last periods first: 3 and 2 are emptied, and the next statement bills 1 and closes the plan.
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '600.00' });
    expect(figures(summaries(s)[0])).toMatchObject({ periodsLeft: 1, toBill: ['300.00', '4.50'], ended: null });
    s.closeDaysThrough('2026-01-31');
    expect(figures(summaries(s)[0])).toMatchObject({ periodsBilled: 1, periodsLeft: 0, ended: { on: '2026-02-01', reason: 'BILLED_IN_FULL' } });
  });

  it('ends a plan whose draw an upheld dispute reversed', () => {
    const s = converted(opened(), 'o-1', '600.00');
    s.execute({ type: 'OpenDispute', disputeId: 'd-1', drawId: 'o-1', reason: 'not mine' });
    s.at('2026-01-15');
    s.execute({ type: 'ResolveDispute', disputeId: 'd-1', upheld: true, note: 'fraud' });
    expect(summaries(s)[0].ended).toEqual({ on: '2026-01-15', reason: 'REVERSED_BY_DISPUTE' });
  });

  it('lists the open plans first, then those that ended, each newest first', () => {
    const s = opened();
    converted(s, 'a', '600.00');
    converted(s, 'b', '600.00');
    converted(s, 'c', '600.00');
    converted(s, 'd', '600.00');
    s.execute({ type: 'RefundDraw', drawId: 'a', refundId: 'rf-a', amount: '600.00' });
    s.execute({ type: 'PayOffInstallmentEarly', planId: 'c' });
    expect(summaries(s).map((p) => [p.plan.planId, p.ended?.reason ?? 'OPEN'])).toEqual([
      ['d', 'OPEN'],
      ['b', 'OPEN'],
      ['c', 'PAID_OFF_EARLY'],
      ['a', 'REFUNDED'],
    ]);
  });
});
