import { Money } from '../../money/money';
import { AccountScenario } from '../../testing/account-scenario';
import { liveMonths } from '../../testing/months-lived';
import { totalOwed } from '../credit-account.state';

/**
 * PRODUCT.md §9, the quarterly review, at its rounding and its thresholds:
 *   - an overdue day in the quarter: limit x 0.8, rounded DOWN to 100 (never below 500 nor below what is owed);
 *   - else average daily utilization >= 30% and every minimum met by its due date: limit x 1.2, rounded
 *     DOWN to 100, capped by pay score: < 700 -> 10,000, 700-749 -> 20,000, >= 750 -> 50,000;
 *   - afterwards a limit >= 20,000 with a pay score >= 750 earns the premium rate 0.03% a day.
 * Every limit below is reached through reviews: no state is set by hand.
 */

const reviews = (s: AccountScenario) => s.eventsOf('CreditLimitReviewed').map((e) => e.data);

describe('the quarterly limit review at its boundaries', () => {
  it('rounds a decrease down to 100: 3,600.00 x 0.8 = 2,880.00 -> 2,800.00', () => {
    // Pay score 720: 3,000.00. Q1 2026 raises it to 3,000.00 x 1.2 = 3,600.00; in Q2 March's statement
    // (due 10 Apr) is paid on 15 Apr, overdue 11-14 Apr.
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 720 });
    liveMonths(s, '2026-01', '2026-06', { lateIn: '2026-04' });
    const [q1, q2] = reviews(s);
    expect(q1).toMatchObject({ quarter: '2026-Q1', decision: 'INCREASED', oldLimit: '3000.00', newLimit: '3600.00' });
    // 2,880.00 rounded down is 2,800.00 (rounded up it would be 2,900.00). The floors do not bind: 500.00,
    // and what is owed (half the 3,600.00 limit drawn in June, plus June's interest) rounded up to 100.
    expect(Money.of(q2.inputs.owed).ceilToMultipleOf(100).lessThan(Money.of('2800.00'))).toBe(true);
    expect(q2).toMatchObject({ quarter: '2026-Q2', decision: 'DECREASED', reasons: ['OVERDUE_IN_QUARTER'], oldLimit: '3600.00', newLimit: '2800.00' });
    expect(q2.inputs.overdueDays).toBeGreaterThan(0);
  });

  it('rounds an increase down to 100: 3,600.00 x 1.2 = 4,320.00 -> 4,300.00', () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 720 });
    liveMonths(s, '2026-01', '2026-06');
    expect(reviews(s).map((r) => [r.quarter, r.decision, r.oldLimit, r.newLimit])).toEqual([
      ['2026-Q1', 'INCREASED', '3000.00', '3600.00'],
      // 4,320.00 rounded down is 4,300.00 (rounded up it would be 4,400.00); the 20,000.00 cap for 720 does not bind.
      ['2026-Q2', 'INCREASED', '3600.00', '4300.00'],
    ]);
  });

  it('counts an average utilization of exactly 30% as enough for an increase', () => {
    // Pay score 650: 2,000.00, 30% of it is 600.00. Opened on 1 Jan; 900.00 drawn and converted at once into
    // 3 periods of 300.00 (fee 900.00 x 0.5% = 4.50 a period; installment principal bears no interest).
    // Each statement (304.50) is paid in full on its statement day. Owed at the end of each day:
    //   1-31 Jan: 900.00 x 31 = 27,900.00; 1-28 Feb: 600.00 x 28 = 16,800.00; 1-31 Mar: 300.00 x 31 = 9,300.00.
    // Sum 54,000.00 over 90 days = 600.00 a day = exactly 30% of 2,000.00.
    const s = new AccountScenario('acc-1', '2026-01-01T09:00:00+08:00').open({ payScore: 650 });
    s.draw('o-1', '900.00');
    s.execute({ type: 'ConvertToInstallments', drawId: 'o-1', periods: 3 });
    for (const statementDay of ['2026-01-31', '2026-02-28']) {
      s.closeDaysThrough(statementDay);
      expect(s.lastOf('StatementIssued').data.statementBalance).toBe('304.50');
      s.repay(`r-${statementDay}`, '304.50');
    }
    s.closeDaysThrough('2026-03-31');
    // 2,000.00 x 1.2 = 2,400.00, under the 10,000.00 cap for a pay score under 700.
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({
      quarter: '2026-Q1',
      inputs: { averageUtilization: '0.3', overdueDays: 0, statementsDue: 2, statementsPaidOnTime: 2 },
      decision: 'INCREASED',
      reasons: ['UTILIZATION_AND_PAYMENTS_MET'],
      oldLimit: '2000.00',
      newLimit: '2400.00',
    });
  });

  it('caps a pay score of exactly 700 at 20,000.00, not 10,000.00', () => {
    // Pay score 760: 5,000.00 -> 6,000.00 (Q1) -> 7,200.00 (Q2) -> 8,640.00 rounded down 8,600.00 (Q3).
    // The score drops to exactly 700 in Q4: 8,600.00 x 1.2 = 10,320.00 -> 10,300.00, under the 700-749 cap of 20,000.00.
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 760 });
    liveMonths(s, '2026-01', '2026-12', {
      onMonthStart: (month) => {
        if (month === '2026-10') s.execute({ type: 'UpdatePayScore', payScore: 700 });
      },
    });
    expect(reviews(s).map((r) => [r.quarter, r.inputs.payScore, r.decision, r.newLimit, r.reasons])).toEqual([
      ['2026-Q1', 760, 'INCREASED', '6000.00', ['UTILIZATION_AND_PAYMENTS_MET']],
      ['2026-Q2', 760, 'INCREASED', '7200.00', ['UTILIZATION_AND_PAYMENTS_MET']],
      ['2026-Q3', 760, 'INCREASED', '8600.00', ['UTILIZATION_AND_PAYMENTS_MET']],
      ['2026-Q4', 700, 'INCREASED', '10300.00', ['UTILIZATION_AND_PAYMENTS_MET']],
    ]);
  });

  it('grants the premium rate to a limit of exactly 20,000.00 with a pay score of 750', () => {
    // Pay score 760: 5,000.00 -> 6,000.00 -> 7,200.00 -> 8,600.00 (8,640) -> 10,300.00 (10,320) -> 12,300.00
    // (12,360) -> 14,700.00 (14,760) -> 17,600.00 (17,640) over Q1 2026 to Q3 2027. In Q4 2027 the score is
    // 720: 17,600.00 x 1.2 = 21,120.00, capped at 20,000.00; no premium at 720. In Q1 2028 the score is 750
    // and everything is repaid on 1 Jan: utilization under 30%, the limit stays 20,000.00, which with a
    // score of 750 earns the premium rate: 0.03% a day instead of 0.04% (penalty 1.5 x 0.03% = 0.045%).
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 760 });
    liveMonths(s, '2026-01', '2027-12', {
      onMonthStart: (month) => {
        if (month === '2027-10') s.execute({ type: 'UpdatePayScore', payScore: 720 });
      },
    });
    s.repay('r-all', totalOwed(s.state).toString());
    s.execute({ type: 'UpdatePayScore', payScore: 750 });
    s.closeDaysThrough('2028-03-31');
    const all = reviews(s);
    expect(all.map((r) => r.newLimit)).toEqual(['6000.00', '7200.00', '8600.00', '10300.00', '12300.00', '14700.00', '17600.00', '20000.00', '20000.00']);
    expect(all[7]).toMatchObject({ quarter: '2027-Q4', reasons: ['UTILIZATION_AND_PAYMENTS_MET', 'CAPPED_BY_PAY_SCORE'], newDailyRate: '0.0004' });
    expect(all[8]).toMatchObject({
      quarter: '2028-Q1',
      inputs: { payScore: 750 },
      decision: 'UNCHANGED',
      reasons: ['LOW_UTILIZATION', 'PREMIUM_RATE'],
      oldLimit: '20000.00',
      newLimit: '20000.00',
      oldDailyRate: '0.0004',
      newDailyRate: '0.0003',
      newPenaltyDailyRate: '0.00045',
    });
    expect(s.state.dailyRate).toBe('0.0003');
  });
});
