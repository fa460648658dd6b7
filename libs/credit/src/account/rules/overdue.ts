/**
 * Overdue (PRODUCT.md §8), decided when business day D closes, effective D + 1:
 * - at the close of a statement's due date, a statement whose minimum is not met becomes overdue
 *   (day 1 past due is the day after the due date);
 * - at the close of the 90th day after the due date, a statement's whole unpaid remainder becomes overdue;
 * - while overdue: frozen and reported to the credit bureau from day 4, and the bucket follows days past due.
 * No late fee, no over-limit fee.
 */
import type { DelinquencyBucket, ProductTerms } from '../../terms/product-terms';
import { addDays, daysBetween } from '../../time/local-date';
import type { CreditAccountEvent } from '../credit-account.events';
import { bucketsTotal, type CreditAccountState, overdueAmount, overdueSince, statementsHoldEarlierBalances } from '../credit-account.state';
import { Money } from '../../money/money';

export function bucketFor(daysPastDue: number, terms: ProductTerms): DelinquencyBucket {
  if (daysPastDue <= 0) return 'CURRENT';
  const bucket = terms.overdue.buckets.find((b) => b.maxDaysPastDue === null || daysPastDue <= b.maxDaysPastDue);
  return bucket ? bucket.name : 'M3+';
}

/** Days past due on `date`: 1 on the first overdue day. */
export function daysPastDue(state: CreditAccountState, date: string): number {
  const since = overdueSince(state);
  return since === null ? 0 : daysBetween(since, date) + 1;
}

export function dueDateEvents(state: CreditAccountState, closing: string, terms: ProductTerms): CreditAccountEvent[] {
  const on = addDays(closing, 1);
  const events: CreditAccountEvent[] = [];
  // Everything billed and still owed on this statement and the ones before it.
  let stillOwed = Money.ZERO;
  const holdsEarlier = statementsHoldEarlierBalances(state);
  for (const s of state.statements) {
    const own = bucketsTotal(s.owed);
    stillOwed = stillOwed.plus(own);
    if (!s.dueDatePassed && s.dueDate <= closing) {
      // Met when its minimum was paid, or when nothing billed up to it is still owed (a statement with
      // nothing of its own is not met while older statements still owe).
      const met = s.minimumMet || stillOwed.isZero();
      events.push({ type: 'StatementDueDatePassed', data: { on, statementId: s.id, minimumMet: met, unpaid: own.toString() } });
      if (!met) {
        const amount = Money.min(stillOwed, s.minimum.minus(s.repaidSinceIssue));
        events.push({ type: 'AccountBecameOverdue', data: { on, statementId: s.id, overdueAmount: amount.toString(), kind: 'MINIMUM_NOT_PAID' } });
      }
    }
    const deferralEnd = addDays(s.dueDate, terms.overdue.maxDeferralDays);
    if (deferralEnd <= closing && own.isPositive() && s.overdue?.kind !== 'DEFERRAL_LIMIT_REACHED') {
      // Its whole unpaid remainder: everything owed up to it where a statement holds the earlier ones' balances (rule revision 3).
      const remainder = holdsEarlier ? stillOwed : own;
      events.push({ type: 'AccountBecameOverdue', data: { on, statementId: s.id, overdueAmount: remainder.toString(), kind: 'DEFERRAL_LIMIT_REACHED' } });
    }
  }
  return events;
}

/** Freeze, bureau report and bucket as of D + 1, for an account that is overdue after the due-date step. */
export function delinquencyEvents(state: CreditAccountState, closing: string, terms: ProductTerms): CreditAccountEvent[] {
  const on = addDays(closing, 1);
  const dpd = daysPastDue(state, on);
  if (dpd <= 0) return [];
  const events: CreditAccountEvent[] = [];
  if (dpd >= terms.overdue.freezeOnDayPastDue && !state.frozenForOverdue) {
    events.push({ type: 'AccountFrozen', data: { on, reason: 'OVERDUE', daysPastDue: dpd } });
  }
  if (dpd >= terms.overdue.reportOnDayPastDue && !state.overdueReported) {
    const statementIds = state.statements.filter((s) => s.overdue).map((s) => s.id);
    events.push({ type: 'OverdueReported', data: { on, daysPastDue: dpd, overdueAmount: overdueAmount(state).toString(), statementIds } });
  }
  const bucket = bucketFor(dpd, terms);
  if (bucket !== state.bucket) events.push({ type: 'DelinquencyBucketChanged', data: { on, from: state.bucket, to: bucket, daysPastDue: dpd } });
  return events;
}

/**
 * The first closing on or after `after` at which `delinquencyEvents` decides something, provided nothing
 * else happens to the account first (any event reschedules it): the day it is frozen, reported, or moves
 * to another bucket. Null when the account is not overdue or has nothing left to reach. Without it, the
 * end of day would visit every overdue account every day to decide nothing on most of them.
 */
export function nextDelinquencyClosing(state: CreditAccountState, after: string, terms: ProductTerms): string | null {
  const since = overdueSince(state);
  if (since === null) return null;
  // Closing day D decides as of D + 1, when the days past due are daysBetween(since, D) + 2.
  const closingAt = (dpd: number) => addDays(since, dpd - 2);
  const first = Math.max(1, daysBetween(since, after) + 2);
  const reached: number[] = [];
  if (!state.frozenForOverdue) reached.push(Math.max(first, terms.overdue.freezeOnDayPastDue));
  if (!state.overdueReported) reached.push(Math.max(first, terms.overdue.reportOnDayPastDue));
  if (bucketFor(first, terms) !== state.bucket) reached.push(first);
  else {
    // Buckets change only the day after one's upper bound.
    for (const { maxDaysPastDue } of terms.overdue.buckets) {
      if (maxDaysPastDue !== null && maxDaysPastDue >= first && bucketFor(maxDaysPastDue + 1, terms) !== state.bucket) reached.push(maxDaysPastDue + 1);
    }
  }
  return reached.length === 0 ? null : closingAt(Math.min(...reached));
}
