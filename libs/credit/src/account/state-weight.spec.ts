import { AccountScenario } from '../testing/account-scenario';
import { addDays } from '../time/local-date';
import { initialState, totalOwed } from './credit-account.state';
import { serializeState } from './state-codec';
import { approximateStateBytes } from './state-weight';

/** A year of an account: a draw every few days, the statement repaid in full each month. */
function yearOfDraws(): AccountScenario {
  const account = new AccountScenario('acc-weight', '2026-01-05T10:00:00+08:00').open();
  let day = '2026-01-05';
  for (let i = 0; i < 90; i++) {
    account.at(day);
    account.draw(`order-${i}`, '12.34');
    if (i % 8 === 7 && totalOwed(account.state).isPositive()) account.repay(`repay-${i}`, totalOwed(account.state).toString());
    const next = addDays(day, 4);
    account.closeDaysThrough(addDays(next, -1));
    day = next;
  }
  return account;
}

describe('the estimated weight of an account state', () => {
  const account = yearOfDraws();

  it('grows with what the history adds: each order, posted draw and repayment', () => {
    const base = approximateStateBytes(initialState('acc-weight'));
    const grown = approximateStateBytes(account.state);
    const posted = account.eventsOf('DrawPosted').length;
    const repayments = account.eventsOf('RepaymentReceived').length;
    expect(posted).toBeGreaterThan(60);
    // Every order id is kept (declined ones too), every posted draw, every repayment reference.
    expect(grown - base).toBeGreaterThanOrEqual(90 * 200 + posted * 300 + repayments * 80);
  });

  it('stays within the band measured against the heap: above the encoded state, never far above', () => {
    // Decoded states measured 1.09 to 1.35 times their encoded length on the heap, and the estimate
    // 1.08 to 1.22 times the heap (see state-weight.ts); far outside that, the constants are stale.
    const ratio = approximateStateBytes(account.state) / serializeState(account.state).length;
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThan(2);
    // A new account is mostly fixed overhead, which the estimate charges in full.
    expect(approximateStateBytes(initialState('acc-weight'))).toBeGreaterThan(serializeState(initialState('acc-weight')).length);
  });
});
