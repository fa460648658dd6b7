import { AccountScenario } from '../../testing/account-scenario';

/**
 * PRODUCT.md §6: minimum repayment = 10% of the statement balance rounded UP to the fen, plus any overdue
 * amount still unpaid, never more than the statement balance.
 * Pay score 650: limit 2,000.00 at 0.05% a day (penalty 1.5 x 0.05% = 0.075%, capped at 0.065%).
 */
const opened = () => new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });

describe('the minimum repayment', () => {
  it('rounds 10% of the statement balance up to the fen: a 1,000.01 statement has a 100.01 minimum', () => {
    const s = opened();
    s.at('2026-01-31');
    s.draw('o-1', '999.51');
    s.closeDaysThrough('2026-01-31');
    const statement = s.lastOf('StatementIssued').data;
    // One day of interest: 999.51 x 0.0005 = 0.499755, charged 0.50; balance 999.51 + 0.50 = 1,000.01.
    // 10% = 100.001: rounded up 100.01 (half-up would give 100.00).
    expect(statement.interest).toEqual({ exact: '0.499755', charged: '0.50', residual: '-0.000245' });
    expect(statement.statementBalance).toBe('1000.01');
    expect(statement.overdueIncluded).toBe('0.00');
    expect(statement.minimumRepayment).toBe('100.01');
  });

  it('adds the overdue amount still unpaid to 10% of the statement balance', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    // January: 1,000.00 x 0.05% x 30 days (2-31 Jan) = 15.00; balance 1,015.00, minimum 101.50, due 10 Feb.
    s.closeDaysThrough('2026-01-31');
    expect(s.lastOf('StatementIssued').data.minimumRepayment).toBe('101.50');
    // Nothing paid: overdue from 11 Feb for 101.50.
    s.closeDaysThrough('2026-02-28');
    const feb = s.lastOf('StatementIssued').data;
    // February: 1-10 Feb at 0.05% on 1,000.00 = 5.00; 11-28 Feb (18 days) at the 0.065% penalty rate = 11.70.
    // Balance 1,015.00 + 5.00 + 11.70 = 1,031.70; 10% = 103.17; plus the 101.50 overdue = 204.67.
    expect(feb).toMatchObject({
      interest: { charged: '5.00' },
      penaltyInterest: { charged: '11.70' },
      previousBalance: '1015.00',
      statementBalance: '1031.70',
      overdueIncluded: '101.50',
      minimumRepayment: '204.67',
    });
  });

  it('is never more than the statement balance, even with an overdue amount included', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-01-31');
    // On 1 Feb the merchant refunds the whole draw: 1,000.00 of January's principal goes, its 15.00 of
    // interest stays owed, and no principal is left to accrue in February.
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '1000.00' });
    // Minimum 101.50 unpaid by 10 Feb: overdue for min(101.50, 15.00 still owed) = 15.00.
    s.closeDaysThrough('2026-02-28');
    const feb = s.lastOf('StatementIssued').data;
    // Balance 15.00 (nothing new: no principal, no interest); 10% = 1.50; 1.50 + 15.00 overdue = 16.50,
    // capped at the 15.00 balance.
    expect(feb).toMatchObject({
      interest: { charged: '0.00' },
      penaltyInterest: { charged: '0.00' },
      previousBalance: '15.00',
      statementBalance: '15.00',
      overdueIncluded: '15.00',
      minimumRepayment: '15.00',
    });
  });
});
