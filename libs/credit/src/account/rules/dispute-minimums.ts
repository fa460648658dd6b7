/**
 * The minimums an upheld dispute sets again (PRODUCT.md §10: the draw is reversed in full, 全额赔付).
 * A statement's minimum is 10% of its balance plus the overdue amount it includes (§6), so a stolen draw
 * billed on it raised it: a victim who paid what their own spending asked for was left short of the
 * minimum, overdue, frozen and reported. The reversal sets every statement's minimum again as billing
 * would have set it without the draw:
 *
 * - the statement's balance as issued, less what the draw held of it then (`drawBalances`): its
 *   principal still owed on that statement and the ones before it, and the charges it gave rise to there
 *   (what `disputedDrawCharges` gives back of each statement, in full: see `heldOn`); every draw an upheld
 *   dispute reversed after that statement is left out the same way;
 * - the overdue amount it included, from the earlier statements' minimums set again and what was paid
 *   towards them by then, and what was owed up to them without what those draws still held there;
 * - never more than the minimum already set (a reversal only lowers), nor than the balance without the
 *   draws.
 *
 * What the customer had already paid of the draw's principal is returned to them by the reversal, so it
 * counts as never paid: the draw's part of a later statement is what was still owed of it (a customer who
 * paid the whole balance, the draw's included, is asked their own spending's minimum next month, not
 * nothing). What the customer paid since a statement still counts towards its lowered minimum, even a
 * part that went to the draw and is returned: they paid it when it was asked for. The follow-ups of
 * paying something down (`withSettlementFollowUps`) then meet those minimums, cure the statements and
 * lift the overdue freeze.
 * What the overdue already caused stays: the days past due, the freeze and the credit-bureau report
 * recorded, the quarter's overdue days for the limit review, and the penalty interest the customer's own
 * principal bore while overdue. Nor is the interest given back that the customer's own principal bore
 * because a payment went to the draw's principal (it was older, or in installments) rather than to
 * their own spending, and that payment, returned, counts as never made. These would need the customer's
 * life decided again without the draw; each later minimum holds 10% of them.
 */
import { Money } from '../../money/money';
import type { TermsCatalogue } from '../../terms/product-terms';
import type { CreditAccountEvent, DisputedDrawCharges, DisputedDrawMinimums } from '../credit-account.events';
import {
  bucketsTotal,
  type CreditAccountState,
  initialState,
  type StatementState,
  statementOverdueAmount,
  statementsHoldEarlierBalances,
} from '../credit-account.state';
import { evolve } from '../evolve';
import { getEntry, ownValue } from '../sharded-record';

const CHARGE_KINDS = ['INTEREST', 'PENALTY_INTEREST', 'FEES'] as const;

/** A statement as issued, with what the draws to reverse still held of its balance, and the overdue statements before it as billing saw them. */
interface IssuedStatement {
  statementId: string;
  balance: Money;
  minimum: Money;
  rate: string;
  held: Money;
  overdue: OverdueBefore[];
}

/** A statement overdue when a later one was issued: as it stood then, and what was owed up to it and on it without what the draws held. */
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
  const only = new Map([[drawId, chargesOf.get(drawId)!]]);
  let state = initialState(decidedOn.accountId);
  const reversed = new Set<string>();
  const issued: IssuedStatement[] = [];
  const drawBalances: DisputedDrawMinimums['drawBalances'] = [];
  for (const event of history) {
    let overdue: OverdueBefore[] = [];
    if (event.type === 'StatementIssued') overdue = overdueWithout(state, heldOn(state, chargesOf, reversed));
    else if (event.type === 'DrawReversed') reversed.add(event.data.drawId);
    state = evolve(state, event);
    if (event.type !== 'StatementIssued') continue;
    const d = event.data;
    const part = Money.sum(heldOn(state, only, reversed));
    if (part.isPositive()) drawBalances.push({ statementId: d.statementId, amount: part.toString() });
    issued.push({
      statementId: d.statementId,
      balance: Money.of(d.statementBalance),
      minimum: Money.of(d.minimumRepayment),
      rate: terms.get(d.termsVersion).billing.minimumRepaymentRate,
      held: Money.sum(heldOn(state, chargesOf, reversed)),
      overdue,
    });
  }
  const minimumWithout = new Map<string, Money>();
  for (const s of issued) {
    const balance = Money.max(Money.ZERO, s.balance.minus(s.held));
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
type GivenBack = Record<(typeof CHARGE_KINDS)[number], Money>;

function givenBackByStatement(charges: DisputedDrawCharges): Map<string, GivenBack> {
  return new Map(charges.statements.map((s) => [s.statementId, { INTEREST: Money.of(s.interest), PENALTY_INTEREST: Money.of(s.penaltyInterest), FEES: Money.of(s.fees) }]));
}

/**
 * What the given draws (those not reversed yet) hold of each listed statement's balance, oldest first:
 * their principal still owed on it, and their charges billed on it in full. Charges are owed pooled and
 * repayments go to them first, so a victim paying what their own spending asked has paid the draw's
 * interest before their own principal; the reversal returns that to them, and counting it as still held
 * keeps their later minimums at what their own spending asks rather than 10% of it above.
 */
function heldOn(state: CreditAccountState, draws: Map<string, Map<string, GivenBack>>, reversed: Set<string>): Money[] {
  const plans = new Map<string, string | null>();
  for (const id of draws.keys()) {
    const draw = reversed.has(id) ? undefined : getEntry(state.draws, id);
    if (draw) plans.set(id, draw.planId);
  }
  return state.statements.map((s) => {
    let held = Money.ZERO;
    const charged = { INTEREST: Money.ZERO, PENALTY_INTEREST: Money.ZERO, FEES: Money.ZERO };
    for (const [id, planId] of plans) {
      held = held.plus((planId === null ? ownValue(s.billedDraws, id) : ownValue(s.billedPlans, planId)) ?? Money.ZERO);
      const given = draws.get(id)!.get(s.id);
      if (given) for (const kind of CHARGE_KINDS) charged[kind] = charged[kind].plus(given[kind]);
    }
    for (const kind of CHARGE_KINDS) held = held.plus(charged[kind]);
    return held;
  });
}

/** The overdue statements billing includes the amounts of, each with what was owed up to it, and on it alone, without what the draws held (`held`, by listed statement). */
function overdueWithout(state: CreditAccountState, held: Money[]): OverdueBefore[] {
  const overdue: OverdueBefore[] = [];
  const holdsEarlier = statementsHoldEarlierBalances(state);
  let owedUpToWithout = Money.ZERO;
  state.statements.forEach((s, i) => {
    const ownOwedWithout = bucketsTotal(s.owed).minus(held[i]);
    owedUpToWithout = owedUpToWithout.plus(ownOwedWithout);
    if (s.overdue) overdue.push({ statement: s, owedUpToWithout, ownOwedWithout, holdsEarlier });
  });
  return overdue;
}

/** A statement's overdue amount without the reversed draws: with its minimum set again, and what was owed without what they held. */
function overdueWithoutAmount(o: OverdueBefore, minimumWithout: Money | undefined): Money {
  const s = minimumWithout === undefined ? o.statement : { ...o.statement, minimum: Money.min(o.statement.minimum, minimumWithout) };
  return statementOverdueAmount(s, o.owedUpToWithout, o.holdsEarlier, o.ownOwedWithout);
}
