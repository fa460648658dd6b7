import { AccountScenario } from '../../testing/account-scenario';

/**
 * PRODUCT.md §7: a repayment is allocated statement by statement, oldest first: penalty interest,
 * interest, fees, installment principal, revolving principal; then unbilled revolving principal; then
 * installment principal not yet billed, next period first.
 * Pay score 650: limit 2,000.00 at 0.05% a day, penalty rate 0.065% a day.
 */
const opened = () => new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });

describe('allocation of a repayment', () => {
  it('pays a statement\'s penalty interest before its interest', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    // January: 15.00 interest (1,000.00 x 0.05% x 30 days) + 1,000.00 principal; minimum 101.50 not paid,
    // overdue from 11 Feb. February: 1-10 Feb interest 5.00, 11-28 Feb penalty 1,000.00 x 0.065% x 18 = 11.70.
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data).toMatchObject({ statementId: '2026-02', interest: { charged: '5.00' }, penaltyInterest: { charged: '11.70' } });
    // 1,025.00 pays January (15.00 + 1,000.00) and leaves 10.00 for February: penalty interest first.
    s.repay('r-1', '1025.00');
    expect(s.lastOf('RepaymentReceived').data.allocation).toEqual([
      { target: 'STATEMENT', statementId: '2026-01', component: 'INTEREST', amount: '15.00' },
      { target: 'STATEMENT', statementId: '2026-01', component: 'REVOLVING_PRINCIPAL', amount: '1000.00' },
      { target: 'STATEMENT', statementId: '2026-02', component: 'PENALTY_INTEREST', amount: '10.00' },
    ]);
    // 6.70 more: the 1.70 of penalty interest left, then 5.00 of interest.
    s.repay('r-2', '6.70');
    expect(s.lastOf('RepaymentReceived').data.allocation).toEqual([
      { target: 'STATEMENT', statementId: '2026-02', component: 'PENALTY_INTEREST', amount: '1.70' },
      { target: 'STATEMENT', statementId: '2026-02', component: 'INTEREST', amount: '5.00' },
    ]);
  });

  it('pays unbilled revolving principal before installment principal not yet billed', () => {
    const s = opened();
    s.draw('o-1', '600.00');
    // 600.00 in 3 periods: 200.00 of principal each, none billed yet.
    s.execute({ type: 'ConvertToInstallments', drawId: 'o-1', periods: 3 });
    s.draw('o-2', '100.00');
    // 150.00: the 100.00 unbilled draw first, then 50.00 of the plan's next period (period 1).
    s.repay('r-1', '150.00');
    expect(s.lastOf('RepaymentReceived').data.allocation).toEqual([
      { target: 'UNBILLED_REVOLVING', amount: '100.00' },
      { target: 'UNBILLED_INSTALLMENT', planId: 'o-1', period: 1, amount: '50.00' },
    ]);
    expect(s.state.unbilledRevolving.toString()).toBe('0.00');
    expect(s.state.plans['o-1'].remaining.map((r) => r.toString())).toEqual(['150.00', '200.00', '200.00']);
  });
});
