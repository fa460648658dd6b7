/**
 * What follows when money reduces what is owed (a repayment, a refund, an upheld dispute): minimums
 * met, overdue statements cured, the overdue freeze lifted and the bucket back to CURRENT, or, when an
 * older overdue is cured and a later one remains, the bucket the remaining one's days past due give
 * (from M2 to M1 the same day, not at the next close). Computed by folding the primary events and
 * comparing, so every path that pays something down shares one rule.
 */
import type { CreditAccountEvent } from '../credit-account.events';
import { Money } from '../../money/money';
import { bucketsTotal, type CreditAccountState, statementOverdueAmount, statementsHoldEarlierBalances } from '../credit-account.state';
import { fold } from '../evolve';
import type { ProductTerms } from '../../terms/product-terms';
import { bucketFor, daysPastDue } from './overdue';

export function withSettlementFollowUps(state: CreditAccountState, primary: CreditAccountEvent[], on: string, terms: ProductTerms): CreditAccountEvent[] {
  const after = fold(state, primary);
  const followUps: CreditAccountEvent[] = [];
  // A statement is settled when it and every older statement are paid off: nothing billed up to it is owed.
  let owedUpTo = Money.ZERO;
  const holdsEarlier = statementsHoldEarlierBalances(after);
  for (const s of after.statements) {
    owedUpTo = owedUpTo.plus(bucketsTotal(s.owed));
    const settled = owedUpTo.isZero();
    if (!s.minimumMet && (s.repaidSinceIssue.greaterThanOrEqual(s.minimum) || settled)) {
      followUps.push({ type: 'MinimumRepaymentMet', data: { on, statementId: s.id, byDueDate: !s.dueDatePassed } });
    }
    if (s.overdue && (statementOverdueAmount(s, owedUpTo, holdsEarlier).isZero() || settled)) {
      followUps.push({ type: 'OverdueCured', data: { on, statementId: s.id } });
    }
  }
  const cured = fold(after, followUps);
  const stillOverdue = cured.statements.some((s) => s.overdue !== null);
  if (!stillOverdue && cured.frozenForOverdue) followUps.push({ type: 'AccountUnfrozen', data: { on, reason: 'OVERDUE_CURED' } });
  const dpd = stillOverdue ? daysPastDue(cured, on) : 0;
  const bucket = bucketFor(dpd, terms);
  if (bucket !== cured.bucket) followUps.push({ type: 'DelinquencyBucketChanged', data: { on, from: cured.bucket, to: bucket, daysPastDue: dpd } });
  return [...primary, ...followUps];
}
