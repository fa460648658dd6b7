import { AccountScenario } from '../../testing/account-scenario';

/**
 * PRODUCT.md §8: paying the overdue amount cures it and lifts the freeze for overdue; other freezes stay.
 * §10: a risk suspension holds until an operator clears it.
 * Pay score 650: 1,000.00 drawn on 2 Jan; January's statement 1,015.00, minimum 101.50, due 10 Feb.
 */
describe('curing an overdue on a risk-suspended account', () => {
  it('lifts the overdue freeze only: draws stay refused for the risk suspension until it is cleared', () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
    s.draw('o-1', '1000.00');
    s.at('2026-01-20');
    s.execute({ type: 'SuspendForRisk', reason: 'REMOTE_LOGIN', note: 'login from a new device' });
    // Minimum unpaid: overdue from 11 Feb (day 1), frozen on 14 Feb (day 4).
    s.closeDaysThrough('2026-02-19');
    expect(s.state).toMatchObject({ frozenForOverdue: true, riskSuspended: true });

    const decided = s.repay('r-1', '101.50');
    expect(decided.map((e) => e.type)).toEqual(['RepaymentReceived', 'MinimumRepaymentMet', 'OverdueCured', 'AccountUnfrozen', 'DelinquencyBucketChanged']);
    expect(s.state).toMatchObject({ frozenForOverdue: false, riskSuspended: true });
    expect(s.draw('o-2', '10.00')).toEqual([
      expect.objectContaining({ type: 'DrawDeclined', data: expect.objectContaining({ reason: 'ACCOUNT_NOT_ACTIVE', detail: 'RISK_SUSPENDED' }) }),
    ]);

    s.execute({ type: 'ClearRiskSuspension', operator: 'ops-7' });
    expect(s.draw('o-3', '10.00')[0].type).toBe('DrawPosted');
  });
});
