import { AccountScenario } from '../testing/account-scenario';
import { contextAt } from './decide-context';
import { decideFolded } from './decide';
import { fold } from './evolve';

describe('end of day decided with the state it folded', () => {
  it('carries the state its statement and limit review fold to, so the repository need not fold them again', () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 720 });
    s.draw('o-1', '1500.00', 'PASSWORD');
    s.closeDaysThrough('2026-03-30');
    const decision = decideFolded({ type: 'CloseBusinessDay', businessDate: '2026-03-31' }, s.state, contextAt(s.now, s.terms, s.history));
    expect(decision.events.map((e) => e.type)).toEqual(['StatementIssued', 'AutoRepaymentRequested', 'CreditLimitReviewed']);
    expect(decision.after).toEqual(fold(s.state, decision.events));
  });

  it('carries the state unchanged when the day was closed already', () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 720 });
    s.draw('o-1', '1500.00', 'PASSWORD');
    s.closeDaysThrough('2026-03-31');
    const decision = decideFolded({ type: 'CloseBusinessDay', businessDate: '2026-03-31' }, s.state, contextAt(s.now, s.terms, s.history));
    expect(decision.events).toEqual([]);
    expect(decision.after).toBe(s.state);
  });

  it('leaves folding to the caller for any other command', () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 720 });
    const decision = decideFolded({ type: 'SetTransactionControls', singleTransactionLimit: '100.00', nightLock: true }, s.state, contextAt(s.now, s.terms, s.history));
    expect(decision.events).toHaveLength(1);
    expect(decision.after).toBeUndefined();
  });
});
