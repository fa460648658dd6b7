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
 *   every draw an upheld dispute reversed after the statement was issued is left out the same way (the
 *   charges of one reversed before charges were reversed count as none);
 * - the overdue amount it included, from the earlier statements' minimums set again the same way and
 *   what was paid towards them by then, and what those statements still held of the reversed draws'
 *   principal left out of what was owed up to them;
 * - never more than the minimum already set (a reversal only lowers), nor than the balance without the
 *   draws.
 *
 * What the customer paid still counts towards a lowered minimum, even a part the reversal returns to
 * them because it had paid the draw itself: they paid it when it was asked for. The follow-ups of paying
 * something down (`withSettlementFollowUps`) then meet those minimums, cure the statements and lift the
 * overdue freeze. What the overdue already caused stays: the days past due, the freeze and the
 * credit-bureau report recorded, the quarter's overdue days for the limit review, and the penalty
 * interest the customer's own principal bore while overdue. Nor is the interest given back that the
 * customer's own principal bore because a payment went to the draw (it was older, or in installments)
 * rather than to their own spending. Both would need the customer's life decided again without the
 * draw; each later minimum holds 10% of them.
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
  statementsHoldEarlierBalances,
} from '../credit-account.state';
import { evolve } from '../evolve';
import { getEntry, ownValue } from '../sharded-record';

const CHARGE_KINDS = ['INTEREST', 'PENALTY_INTEREST', 'FEES'] as const;

/** A statement as issued, and the overdue statements before it as billing saw them. */
interface IssuedStatement {
  statementId: string;
  balance: Money;
  minimum: Money;
  rate: string;
  /** Each reversed draw's principal billed up to it (less what refunds took off what was owed of it), for the draws still in its balance. */
  principal: Map<string, Money>;
  overdue: OverdueBefore[];
}

/** A statement overdue when a later one was issued: as it stood then, and what it owed up to it without the reversed draws' principal. */
interface OverdueBefore {
  statement: StatementState;
  owedUpToWithout: Money;
  ownOwedWithout: Money;
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
  // Every draw an upheld dispute reverses, with the charges each reversal gave back by statement.
  const chargesOf = new Map<string, Map<string, GivenBack>>([[drawId, givenBackByStatement(charges)]]);
  for (const event of history) {
    if (event.type === 'DrawReversed' && event.data.drawId !== drawId) {
      chargesOf.set(event.data.drawId, event.data.charges ? givenBackByStatement(event.data.charges) : new Map());
    }
  }
  let state = initialState(decidedOn.accountId);
  const refundsApplied = new Map<string, Money>();
  const reversed = new Set<string>();
  const issued: IssuedStatement[] = [];
  for (const event of history) {
    let overdue: OverdueBefore[] = [];
    if (event.type === 'StatementIssued') overdue = overdueWithout(state, chargesOf, reversed);
    else if (event.type === 'DrawRefunded' && chargesOf.has(event.data.drawId)) {
      const applied = Money.of(event.data.amount).minus(Money.of(event.data.returnedToCustomer));
      refundsApplied.set(event.data.drawId, (refundsApplied.get(event.data.drawId) ?? Money.ZERO).plus(applied));
    } else if (event.type === 'DrawReversed') reversed.add(event.data.drawId);
    state = evolve(state, event);
    if (event.type !== 'StatementIssued') continue;
    const d = event.data;
    const principal = new Map<string, Money>();
    for (const id of chargesOf.keys()) if (!reversed.has(id)) principal.set(id, drawPrincipalBilled(state, id, refundsApplied.get(id) ?? Money.ZERO));
    issued.push({
      statementId: d.statementId,
      balance: Money.of(d.statementBalance),
      minimum: Money.of(d.minimumRepayment),
      rate: terms.get(d.termsVersion).billing.minimumRepaymentRate,
      principal,
      overdue,
    });
  }
  const drawBalances: DisputedDrawMinimums['drawBalances'] = [];
  const minimumWithout = new Map<string, Money>();
  const chargesUpTo = new Map<string, Money>();
  for (const s of issued) {
    let reversedPart = Money.ZERO;
    for (const [id, byStatement] of chargesOf) {
      const upTo = (chargesUpTo.get(id) ?? Money.ZERO).plus(byStatement.get(s.statementId)?.total ?? Money.ZERO);
      chargesUpTo.set(id, upTo);
      const principal = s.principal.get(id);
      if (principal === undefined) continue;
      const part = principal.plus(upTo);
      reversedPart = reversedPart.plus(part);
      if (id === drawId && part.isPositive()) drawBalances.push({ statementId: s.statementId, amount: part.toString() });
    }
    const balance = Money.max(Money.ZERO, s.balance.minus(reversedPart));
    let overdueIncluded = Money.ZERO;
    for (const o of s.overdue) overdueIncluded = Money.max(overdueIncluded, overdueWithoutAmount(o, minimumWithout.get(o.statement.id)));
    const minimum = Money.min(s.minimum, Money.min(balance, balance.times(s.rate).ceilToFen().plus(overdueIncluded)));
    minimumWithout.set(s.statementId, minimum);
  }
  const lowered: DisputedDrawMinimums['lowered'] = [];
  for (const open of decidedOn.statements) {
    const minimum = minimumWithout.get(open.id);
    if (minimum && minimum.lessThan(open.minimum)) lowered.push({ statementId: open.id, from: open.minimum.toString(), to: minimum.toString() });
  }
  return { drawBalances, lowered };
}

/** What a reversal's charges gave back on a statement, kind by kind. */
type GivenBack = Record<'INTEREST' | 'PENALTY_INTEREST' | 'FEES', Money> & { total: Money };

function givenBackByStatement(charges: DisputedDrawCharges): Map<string, GivenBack> {
  return new Map(
    charges.statements.map((s) => {
      const kinds = { INTEREST: Money.of(s.interest), PENALTY_INTEREST: Money.of(s.penaltyInterest), FEES: Money.of(s.fees) };
      return [s.statementId, { ...kinds, total: kinds.INTEREST.plus(kinds.PENALTY_INTEREST).plus(kinds.FEES) }];
    }),
  );
}

/**
 * The overdue statements billing includes the amounts of, each with what was owed up to it, and on it
 * alone, less what the draws to reverse (not reversed yet) still had on those statements: their principal,
 * and their charges as far as what is owed of each kind covers them (charges are owed pooled).
 */
function overdueWithout(state: CreditAccountState, draws: Map<string, Map<string, GivenBack>>, reversed: Set<string>): OverdueBefore[] {
  const overdue: OverdueBefore[] = [];
  const holdsEarlier = statementsHoldEarlierBalances(state);
  const plans = new Map<string, string>();
  for (const id of draws.keys()) {
    const draw = reversed.has(id) ? undefined : getEntry(state.draws, id);
    if (draw) plans.set(id, draw.planId ?? '');
  }
  let owedUpToWithout = Money.ZERO;
  for (const s of state.statements) {
    let drawsOn = Money.ZERO;
    const charged = { INTEREST: Money.ZERO, PENALTY_INTEREST: Money.ZERO, FEES: Money.ZERO };
    for (const [id, planId] of plans) {
      drawsOn = drawsOn.plus((planId === '' ? ownValue(s.billedDraws, id) : ownValue(s.billedPlans, planId)) ?? Money.ZERO);
      const given = draws.get(id)!.get(s.id);
      if (given) for (const kind of CHARGE_KINDS) charged[kind] = charged[kind].plus(given[kind]);
    }
    for (const kind of CHARGE_KINDS) drawsOn = drawsOn.plus(Money.min(charged[kind], s.owed[kind]));
    const ownOwedWithout = bucketsTotal(s.owed).minus(drawsOn);
    owedUpToWithout = owedUpToWithout.plus(ownOwedWithout);
    if (s.overdue) overdue.push({ statement: s, owedUpToWithout, ownOwedWithout, holdsEarlier });
  }
  return overdue;
}

/** A statement's overdue amount (`statementOverdueAmount`) without the reversed draws: its minimum set again, and what it owed without their principal. */
function overdueWithoutAmount(o: OverdueBefore, minimumWithout: Money | undefined): Money {
  const s = o.statement;
  if (s.overdue?.kind === 'DEFERRAL_LIMIT_REACHED') return o.holdsEarlier ? o.owedUpToWithout : o.ownOwedWithout;
  const minimum = minimumWithout === undefined ? s.minimum : Money.min(s.minimum, minimumWithout);
  return Money.min(o.owedUpToWithout, Money.max(Money.ZERO, minimum.minus(s.repaidSinceIssue)));
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
