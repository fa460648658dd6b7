/**
 * The minimums an upheld dispute sets again (PRODUCT.md §10: the draw is reversed in full, 全额赔付).
 * A statement's minimum is 10% of its balance plus the overdue amount it includes (§6), so a stolen draw
 * billed on it raised it: a victim who paid what their own spending asked for was left short of the
 * minimum, overdue, frozen and reported. The reversal sets every statement's minimum again as billing
 * would have set it without the draw:
 *
 * - the statement's balance as issued, less the draw's part of it (`drawBalances`): its principal
 *   billed by then, less what refunds took off what was owed of it, and the interest, penalty interest
 *   and fees it gave rise to that were billed by then (what `disputedDrawCharges` gives back of them);
 * - the overdue amount it included, from the earlier statements' minimums set again the same way, and
 *   what was paid towards them by then;
 * - never more than the minimum already set (a reversal only lowers), nor than the balance without the
 *   draw.
 *
 * What the customer paid still counts towards a lowered minimum, even a part the reversal returns to
 * them because it had paid the draw itself: they paid it when it was asked for. Draws reversed before
 * this one are left out of the statements issued before them in the same way (their reversals record
 * their parts). The follow-ups of paying something down (`withSettlementFollowUps`) then meet those
 * minimums, cure the statements and lift the overdue freeze. What the overdue already caused stays: the
 * days past due, the freeze and the credit-bureau report recorded, and the penalty interest the
 * customer's own principal bore while overdue.
 */
import { Money } from '../../money/money';
import type { TermsCatalogue } from '../../terms/product-terms';
import type { CreditAccountEvent, DisputedDrawCharges, DisputedDrawMinimums } from '../credit-account.events';
import {
  bucketsTotal,
  type CreditAccountState,
  initialState,
  planUnbilledPrincipal,
  type StatementState,
  statementOverdueAmount,
  statementsHoldEarlierBalances,
} from '../credit-account.state';
import { evolve } from '../evolve';
import { getEntry } from '../sharded-record';

/** A statement as issued, and the overdue statements before it as billing saw them. */
interface IssuedStatement {
  statementId: string;
  balance: Money;
  minimum: Money;
  rate: string;
  /** The disputed draw's principal billed up to it, less what refunds took off what was owed of it. */
  drawPrincipal: Money;
  /** The parts of draws reversed before, as their reversals recorded them. */
  reversedBefore: Money;
  overdue: { statement: StatementState; owedUpTo: Money }[];
  holdsEarlier: boolean;
}

/**
 * The draw's part of each statement's balance and the minimums set again, from the account's history
 * (the events that folded into `decidedOn`) and the charges the reversal gives back.
 */
export function disputedDrawMinimums(
  history: readonly CreditAccountEvent[],
  drawId: string,
  charges: DisputedDrawCharges,
  decidedOn: CreditAccountState,
  terms: TermsCatalogue,
): DisputedDrawMinimums {
  let state = initialState(decidedOn.accountId);
  let refundsApplied = Money.ZERO;
  const issued: IssuedStatement[] = [];
  const byId = new Map<string, IssuedStatement>();
  for (const event of history) {
    let overdue: IssuedStatement['overdue'] = [];
    if (event.type === 'StatementIssued') overdue = overdueStatements(state);
    else if (event.type === 'DrawRefunded' && event.data.drawId === drawId) {
      refundsApplied = refundsApplied.plus(Money.of(event.data.amount)).minus(Money.of(event.data.returnedToCustomer));
    } else if (event.type === 'DrawReversed' && event.data.drawId !== drawId) {
      for (const part of event.data.minimums?.drawBalances ?? []) {
        const entry = byId.get(part.statementId);
        if (entry) entry.reversedBefore = entry.reversedBefore.plus(Money.of(part.amount));
      }
    }
    state = evolve(state, event);
    if (event.type !== 'StatementIssued') continue;
    const d = event.data;
    const entry: IssuedStatement = {
      statementId: d.statementId,
      balance: Money.of(d.statementBalance),
      minimum: Money.of(d.minimumRepayment),
      rate: terms.get(d.termsVersion).billing.minimumRepaymentRate,
      drawPrincipal: drawPrincipalBilled(state, drawId, refundsApplied),
      reversedBefore: Money.ZERO,
      overdue,
      holdsEarlier: statementsHoldEarlierBalances(state),
    };
    issued.push(entry);
    byId.set(d.statementId, entry);
  }
  const givenBack = new Map(charges.statements.map((s) => [s.statementId, Money.of(s.interest).plus(Money.of(s.penaltyInterest)).plus(Money.of(s.fees))]));
  const drawBalances: DisputedDrawMinimums['drawBalances'] = [];
  const without = new Map<string, { minimum: Money; reversed: Money }>();
  let chargesUpTo = Money.ZERO;
  for (const s of issued) {
    chargesUpTo = chargesUpTo.plus(givenBack.get(s.statementId) ?? Money.ZERO);
    const drawBalance = s.drawPrincipal.plus(chargesUpTo);
    if (drawBalance.isPositive()) drawBalances.push({ statementId: s.statementId, amount: drawBalance.toString() });
    const reversed = drawBalance.plus(s.reversedBefore);
    const balance = Money.max(Money.ZERO, s.balance.minus(reversed));
    let overdueIncluded = Money.ZERO;
    for (const { statement, owedUpTo } of s.overdue) {
      const earlier = without.get(statement.id);
      const asIfWithout = earlier ? { ...statement, minimum: Money.min(statement.minimum, earlier.minimum) } : statement;
      const owedWithout = Money.max(Money.ZERO, owedUpTo.minus(earlier?.reversed ?? Money.ZERO));
      overdueIncluded = Money.max(overdueIncluded, statementOverdueAmount(asIfWithout, owedWithout, s.holdsEarlier));
    }
    const minimum = Money.min(s.minimum, Money.min(balance, balance.times(s.rate).ceilToFen().plus(overdueIncluded)));
    without.set(s.statementId, { minimum, reversed });
  }
  const lowered: DisputedDrawMinimums['lowered'] = [];
  for (const open of decidedOn.statements) {
    const minimum = without.get(open.id)?.minimum;
    if (minimum && minimum.lessThan(open.minimum)) lowered.push({ statementId: open.id, from: open.minimum.toString(), to: minimum.toString() });
  }
  return { drawBalances, lowered };
}

/** The overdue statements billing includes the amounts of, and what was owed up to each. */
function overdueStatements(state: CreditAccountState): IssuedStatement['overdue'] {
  const overdue: IssuedStatement['overdue'] = [];
  let owedUpTo = Money.ZERO;
  for (const s of state.statements) {
    owedUpTo = owedUpTo.plus(bucketsTotal(s.owed));
    if (s.overdue) overdue.push({ statement: s, owedUpTo });
  }
  return overdue;
}

/**
 * The draw's principal billed up to the statement just issued: all of it but what refunds took off what
 * was owed of it and, in installments, the principal of the periods not yet billed. What the customer
 * repaid of it stays in: they would have paid the same towards their own spending.
 */
function drawPrincipalBilled(state: CreditAccountState, drawId: string, refundsApplied: Money): Money {
  const draw = getEntry(state.draws, drawId);
  if (!draw) return Money.ZERO;
  const unbilled = draw.planId === null ? Money.ZERO : planUnbilledPrincipal(state.plans[draw.planId]);
  return Money.max(Money.ZERO, draw.amount.minus(refundsApplied).minus(unbilled));
}
