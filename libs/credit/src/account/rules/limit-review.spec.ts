import { Dec, Money } from '../../money/money';
import { AccountScenario } from '../../testing/account-scenario';
import { liveMonths } from '../../testing/months-lived';

/** Opens on 2 Jan, draws `amount`, then pays each statement's minimum on the 5th (or never, when `missJanuary`). */
function firstQuarter(opts: { payScore: number; amount: string; missJanuary?: boolean }) {
  const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: opts.payScore });
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
    // Pay score 720: limit 3,000.00, 0.045% a day, penalty 1.5 x 0.045% = 0.0675%, capped at 0.065%.
    // January (2,900.00 drawn on 2 Jan): 2,900.00 x 0.00045 x 30 days = 39.15. Statement 2,939.15, minimum
    //   293.915 rounded up = 293.92, missed on 10 Feb: overdue 11-19 Feb, paid 20 Feb to 39.15 of interest and
    //   254.77 of principal, which leaves 2,900.00 - 254.77 = 2,645.23.
    // February: interest 2,900.00 x 0.00045 x 10 (1-10 Feb) + 2,645.23 x 0.00045 x 9 (20-28 Feb)
    //   = 13.05 + 10.7131815 = 23.7631815 -> 23.76; penalty 2,900.00 x 0.00065 x 9 (11-19 Feb) = 16.965 -> 16.97.
    //   Balance 2,645.23 + 40.73 = 2,685.96, minimum 268.596 rounded up = 268.60, paid 5 Mar to January's
    //   principal first (oldest statement first): 2,645.23 - 268.60 = 2,376.63; February's 40.73 still owed.
    // March: 2,645.23 x 0.00045 x 4 (1-4 Mar) + 2,376.63 x 0.00045 x 27 (5-31 Mar) = 4.761414 + 28.8760545
    //   = 33.6374685 -> 33.64.
    // Owed on 1 Apr: 2,376.63 + 40.73 + 33.64 = 2,451.00, rounded up to 100: 2,500.00. 20% off 3,000.00 is
    // 2,400.00, below it: the limit comes down to 2,500.00 only.
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({
      decision: 'DECREASED',
      reasons: ['OVERDUE_IN_QUARTER'],
      inputs: { owed: '2451.00', overdueDays: 9 },
      oldLimit: '3000.00',
      newLimit: '2500.00',
    });
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

  it('keeps the limit of an account with no statement due in the quarter, however much it used: it has shown nothing of how it repays', () => {
    // Opened 31 March, 1,500.00 of its 2,000.00 drawn that day: utilization 0.75 over its one day. Its first
    // statement (March) falls due on 10 April, in the next quarter.
    const s = new AccountScenario('acc-1', '2027-03-31T20:00:00+08:00').open({ payScore: 650 });
    s.draw('o-1', '1500.00');
    s.closeDaysThrough('2027-03-31');
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({
      on: '2027-04-01',
      quarter: '2027-Q1',
      decision: 'UNCHANGED',
      reasons: ['NO_STATEMENT_DUE'],
      oldLimit: '2000.00',
      newLimit: '2000.00',
      inputs: { averageUtilization: '0.75', statementsDue: 0, statementsPaidOnTime: 0, overdueDays: 0 },
    });
    expect(s.state.limit.toString()).toBe('2000.00');
  });

  it('caps a raise at 10,000.00 for a pay score under 700', () => {
    // Pay score 760: 5,000.00 -> 6,000.00 (Q1) -> 7,200.00 (Q2) -> 8,640.00 rounded down 8,600.00 (Q3). The
    // score drops to 650 in Q4: 8,600.00 x 1.2 = 10,320.00 -> 10,300.00, capped at 10,000.00.
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 760 });
    liveMonths(s, '2026-01', '2026-12', {
      onMonthStart: (month) => {
        if (month === '2026-10') s.execute({ type: 'UpdatePayScore', payScore: 650 });
      },
    });
    expect(s.eventsOf('CreditLimitReviewed').map((e) => e.data.newLimit)).toEqual(['6000.00', '7200.00', '8600.00', '10000.00']);
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({
      quarter: '2026-Q4',
      inputs: { payScore: 650 },
      decision: 'INCREASED',
      oldLimit: '8600.00',
      newLimit: '10000.00',
      reasons: ['UTILIZATION_AND_PAYMENTS_MET', 'CAPPED_BY_PAY_SCORE'],
    });
  });

  it('grants the premium rate of 0.03% to a limit of 20,000 or more with a pay score of 750 or more', () => {
    // Pay score 780 (cap 50,000.00): 5,000.00 -> 6,000.00 -> 7,200.00 -> 8,600.00 (8,640) -> 10,300.00 (10,320)
    // -> 12,300.00 (12,360) -> 14,700.00 (14,760) -> 17,600.00 (17,640) over Q1 2026 to Q3 2027, all at 0.04%
    // a day. Q4 2027: 17,600.00 x 1.2 = 21,120.00 -> 21,100.00, at least 20,000.00 with a score of 780.
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 780 });
    liveMonths(s, '2026-01', '2027-12');
    const reviews = s.eventsOf('CreditLimitReviewed').map((e) => e.data);
    expect(reviews.map((r) => [r.newLimit, r.newDailyRate])).toEqual([
      ...['6000.00', '7200.00', '8600.00', '10300.00', '12300.00', '14700.00', '17600.00'].map((limit) => [limit, '0.0004']),
      ['21100.00', '0.0003'],
    ]);
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({
      quarter: '2027-Q4',
      decision: 'INCREASED',
      reasons: ['UTILIZATION_AND_PAYMENTS_MET', 'PREMIUM_RATE'],
      oldLimit: '17600.00',
      newLimit: '21100.00',
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
