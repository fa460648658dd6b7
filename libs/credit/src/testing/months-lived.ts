/**
 * Months of an account lived the way the quarterly review specs need them: limits reached through reviews,
 * never set by hand. For specs only.
 */
import { Dec, Money } from '../money/money';
import { totalOwed } from '../account/credit-account.state';
import { dayOfMonth, lastOfMonth, nextMonth } from '../time/local-date';
import type { AccountScenario } from './account-scenario';

/**
 * Lives the months `from` to `to` (inclusive, 'YYYY-MM') from the scenario's clock. Each statement is paid
 * in full on the 5th (paying only minimums would let a remainder fall overdue 90 days after its due
 * date, PRODUCT.md §8), or on the 15th in the month named by `lateIn` (overdue from the 11th, days 1 to 4,
 * cured on the 15th); then one draw brings what is owed back up to half the limit, which keeps every
 * quarter's average utilization near 50%. `onMonthStart` runs on the 1st of each month after `from`,
 * once its statement and any review are decided.
 */
export function liveMonths(s: AccountScenario, from: string, to: string, opts: { lateIn?: string; onMonthStart?: (month: string) => void } = {}): void {
  for (let month = from; month <= to; month = nextMonth(month)) {
    if (month !== from) {
      opts.onMonthStart?.(month);
      const balance = s.lastOf('StatementIssued').data.statementBalance;
      s.closeDaysThrough(dayOfMonth(month, month === opts.lateIn ? 14 : 4));
      if (Money.of(balance).isPositive()) s.repay(`r-${month}`, balance);
    }
    topUpToHalfTheLimit(s, `o-${month}`);
    s.closeDaysThrough(lastOfMonth(month));
  }
}

function topUpToHalfTheLimit(s: AccountScenario, orderId: string): void {
  const amount = s.state.limit.times(new Dec('0.5')).minus(totalOwed(s.state)).floorToFen();
  if (!amount.isPositive()) return;
  const [posted] = s.draw(orderId, amount.toString(), amount.greaterThanOrEqual(Money.of('5000.00')) ? 'FACE' : 'PASSWORD');
  if (posted.type !== 'DrawPosted') throw new Error(`the top-up draw of ${amount} was ${posted.type}`);
}
