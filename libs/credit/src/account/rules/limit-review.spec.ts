import { Dec, Money } from '../../money/money';
import { AccountScenario } from '../../testing/account-scenario';

/** Opens on 2 Jan, draws `amount`, then pays each statement's minimum on the 5th (or never, when `missJanuary`). */
function firstQuarter(opts: { payScore: number; amount: string; limit?: string; missJanuary?: boolean }) {
  const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: opts.payScore });
  if (opts.limit) s.state = { ...s.state, limit: Money.of(opts.limit) };
  s.draw('o-1', opts.amount, Money.of(opts.amount).greaterThanOrEqual(Money.of('5000.00')) ? 'FACE' : 'PASSWORD');
  for (const [statementDay, payDay] of [['2026-01-31', '2026-02-04'], ['2026-02-28', '2026-03-04']]) {
    s.closeDaysThrough(statementDay);
    if (opts.missJanuary && statementDay === '2026-01-31') {
      s.closeDaysThrough('2026-02-19');
      s.repay('cure', s.lastOf('StatementIssued').data.minimumRepayment);
      continue;
    }
    s.closeDaysThrough(payDay);
    s.repay(`r-${payDay}`, s.lastOf('StatementIssued').data.minimumRepayment);
  }
  s.closeDaysThrough('2026-03-31');
  return s;
}

describe('the quarterly limit review', () => {
  it('raises the limit 20% when utilization is at least 30% and every minimum was paid by its due date', () => {
    const s = firstQuarter({ payScore: 720, amount: '1500.00' });
    const review = s.lastOf('CreditLimitReviewed').data;
    expect(review).toMatchObject({
      on: '2026-04-01',
      quarter: '2026-Q1',
      decision: 'INCREASED',
      oldLimit: '3000.00',
      newLimit: '3600.00',
      oldDailyRate: '0.00045',
      newDailyRate: '0.00045',
      inputs: { overdueDays: 0, statementsDue: 2, statementsPaidOnTime: 2, payScore: 720 },
    });
    expect(new Dec(review.inputs.averageUtilization).greaterThan('0.45')).toBe(true);
    expect(s.state.limit.toString()).toBe('3600.00');
  });

  it('lowers the limit 20% after any overdue day in the quarter', () => {
    const s = firstQuarter({ payScore: 720, amount: '1500.00', missJanuary: true });
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({
      decision: 'DECREASED',
      reasons: ['OVERDUE_IN_QUARTER'],
      oldLimit: '3000.00',
      newLimit: '2400.00',
      inputs: { overdueDays: 9 },
    });
  });

  it('never lowers the limit below what is owed (rounded up to 100)', () => {
    const s = firstQuarter({ payScore: 720, amount: '2900.00', missJanuary: true });
    const review = s.lastOf('CreditLimitReviewed').data;
    // About 2,720 is owed: 20% off 3,000.00 would be 2,400.00, below it.
    expect(review.decision).toBe('DECREASED');
    expect(review.newLimit).toBe(Money.of(review.inputs.owed).ceilToMultipleOf(100).toString());
    expect(Money.of(review.newLimit).greaterThan(Money.of('2400.00'))).toBe(true);
  });

  it('never lowers the limit below 500.00', () => {
    const s = firstQuarter({ payScore: 620, amount: '300.00', missJanuary: true });
    const review = s.lastOf('CreditLimitReviewed').data;
    expect(review).toMatchObject({ decision: 'UNCHANGED', oldLimit: '500.00', newLimit: '500.00', reasons: ['OVERDUE_IN_QUARTER', 'AT_FLOOR'] });
  });

  it('leaves the limit unchanged, with the reason, when utilization is low', () => {
    const s = firstQuarter({ payScore: 720, amount: '100.00' });
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({ decision: 'UNCHANGED', newLimit: '3000.00', reasons: ['LOW_UTILIZATION'] });
  });

  it('caps a raise at 10,000.00 for a pay score under 700', () => {
    const s = firstQuarter({ payScore: 650, amount: '4000.00', limit: '9000.00' });
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({ decision: 'INCREASED', newLimit: '10000.00', reasons: ['UTILIZATION_AND_PAYMENTS_MET', 'CAPPED_BY_PAY_SCORE'] });
  });

  it('grants the premium rate of 0.03% to a limit of 20,000 or more with a pay score of 750 or more', () => {
    const s = firstQuarter({ payScore: 780, amount: '6000.00', limit: '17000.00' });
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({
      decision: 'INCREASED',
      newLimit: '20400.00',
      oldDailyRate: '0.0004',
      newDailyRate: '0.0003',
      newPenaltyDailyRate: '0.00045',
    });
    expect(s.state.dailyRate).toBe('0.0003');
  });

  it('is recorded once per quarter even if the day is closed again', () => {
    const s = firstQuarter({ payScore: 720, amount: '1500.00' });
    expect(s.execute({ type: 'CloseBusinessDay', businessDate: '2026-03-31' })).toEqual([]);
    expect(s.eventsOf('CreditLimitReviewed')).toHaveLength(1);
  });
});
