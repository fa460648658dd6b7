import { Money } from '../money/money';
import { AccountScenario } from '../testing/account-scenario';
import { isBalanced, postingsFor, trialBalance } from './journal';

describe('the double-entry view', () => {
  const life = () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
    s.draw('o-1', '1000.00');
    s.draw('o-2', '600.00');
    s.execute({ type: 'ConvertToInstallments', drawId: 'o-2', periods: 6 });
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '100.00' });
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', '500.00');
    return s;
  };

  it('posts every money event as a balanced entry', () => {
    for (const event of life().history) expect(isBalanced(postingsFor(event))).toBe(true);
  });

  it('posts a draw as revolving principal receivable against merchant settlement', () => {
    const s = new AccountScenario().open();
    const [posted] = s.draw('o-1', '88.80');
    expect(postingsFor(posted).map((p) => [p.account, p.side, p.amount.toString()])).toEqual([
      ['REVOLVING_PRINCIPAL_RECEIVABLE', 'DEBIT', '88.80'],
      ['MERCHANT_SETTLEMENT', 'CREDIT', '88.80'],
    ]);
  });

  it('posts a repayment above what was owed as the whole amount in and the excess out again, in repayment clearing', () => {
    const s = new AccountScenario().open();
    s.draw('o-1', '100.00');
    const [partly] = s.repay('r-1', '130.00', 'AUTO_DEBIT');
    expect(partly.type === 'RepaymentReceived' && partly.data.returnedToCustomer).toBe('30.00');
    expect(postingsFor(partly).map((p) => [p.account, p.side, p.amount.toString()])).toEqual([
      ['REPAYMENT_CLEARING', 'DEBIT', '130.00'],
      ['REVOLVING_PRINCIPAL_RECEIVABLE', 'CREDIT', '100.00'],
      ['REPAYMENT_CLEARING', 'CREDIT', '30.00'],
    ]);
    // Nothing owed: the whole debit goes back, and both movements are on the journal.
    const [whole] = s.repay('r-2', '45.60', 'AUTO_DEBIT');
    expect(postingsFor(whole).map((p) => [p.account, p.side, p.amount.toString()])).toEqual([
      ['REPAYMENT_CLEARING', 'DEBIT', '45.60'],
      ['REPAYMENT_CLEARING', 'CREDIT', '45.60'],
    ]);
  });

  it('has receivables on the trial balance equal to what the account owes', () => {
    const s = life();
    const balances = trialBalance(s.history.flatMap(postingsFor));
    const receivables = Money.sum(
      (['REVOLVING_PRINCIPAL_RECEIVABLE', 'INSTALLMENT_PRINCIPAL_RECEIVABLE', 'INTEREST_RECEIVABLE', 'FEE_RECEIVABLE', 'PENALTY_RECEIVABLE'] as const).map((a) => balances[a]),
    );
    const owed = s.state.statements.reduce((sum, st) => sum.plus(Money.sum(Object.values(st.owed))), s.state.unbilledRevolving);
    const unbilledInstallments = Money.sum(Object.values(s.state.plans).flatMap((p) => p.remaining.slice(p.nextPeriod - 1)));
    expect(receivables.toString()).toBe(owed.plus(unbilledInstallments).toString());
    expect(Money.sum(Object.values(balances)).isZero()).toBe(true);
  });
});
