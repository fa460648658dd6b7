import { AccountScenario } from '../testing/account-scenario';
import { postingsFor, trialBalance } from './journal';

/**
 * PRODUCT.md §11: interest, fees and penalty each have their own receivable and income account.
 * Pay score 650: 0.05% a day, penalty 0.065% a day; 6-period installments at 0.35% a month.
 */
describe('the income accounts of a statement', () => {
  const twoStatements = () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
    s.draw('o-1', '1000.00');
    s.draw('o-2', '600.00');
    // Fee per period: 600.00 x 0.35% = 2.10; principal per period 100.00.
    s.execute({ type: 'ConvertToInstallments', drawId: 'o-2', periods: 6 });
    // Nothing repaid: January's minimum is missed and the account is overdue from 11 Feb.
    s.closeDaysThrough('2026-02-28');
    return s;
  };

  it('posts interest to INTEREST_INCOME, fees to FEE_INCOME and penalty interest to PENALTY_INCOME', () => {
    const s = twoStatements();
    const feb = s.lastOf('StatementIssued');
    // February: interest 1-10 Feb on the 1,000.00 revolving principal: 1,000.00 x 0.05% x 10 = 5.00.
    // Penalty 11-28 Feb on January's unpaid principal, 1,000.00 revolving + 100.00 installment:
    // 1,100.00 x 0.065% x 18 = 12.87. Fee: period 2 of the plan, 2.10.
    expect(feb.data).toMatchObject({ statementId: '2026-02', interest: { charged: '5.00' }, penaltyInterest: { charged: '12.87' }, fees: '2.10' });
    expect(postingsFor(feb).map((p) => [p.account, p.side, p.amount.toString()])).toEqual([
      ['INTEREST_RECEIVABLE', 'DEBIT', '5.00'],
      ['INTEREST_INCOME', 'CREDIT', '5.00'],
      ['PENALTY_RECEIVABLE', 'DEBIT', '12.87'],
      ['PENALTY_INCOME', 'CREDIT', '12.87'],
      ['FEE_RECEIVABLE', 'DEBIT', '2.10'],
      ['FEE_INCOME', 'CREDIT', '2.10'],
    ]);
  });

  it('accumulates each kind of income in its own account over the statements', () => {
    const s = twoStatements();
    const balances = trialBalance(s.history.flatMap(postingsFor));
    // Interest: January 1,000.00 x 0.05% x 30 days = 15.00, February 5.00 -> 20.00.
    // Fees: 2.10 on each of the two statements -> 4.20. Penalty: February's 12.87 only.
    expect([balances.INTEREST_INCOME, balances.FEE_INCOME, balances.PENALTY_INCOME].map((m) => m.toString())).toEqual(['-20.00', '-4.20', '-12.87']);
    expect([balances.INTEREST_RECEIVABLE, balances.FEE_RECEIVABLE, balances.PENALTY_RECEIVABLE].map((m) => m.toString())).toEqual(['20.00', '4.20', '12.87']);
  });
});
