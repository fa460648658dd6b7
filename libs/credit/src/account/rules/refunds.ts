/**
 * Merchant refunds and upheld disputes (PRODUCT.md §3, §7, §10). A refund reduces the refunded draw's
 * own principal wherever it now lives: unbilled, billed on a statement, or in an installment plan (the
 * last periods first, so the next instalments stay as scheduled; then the periods already billed, oldest
 * statement first). Whatever of the refund exceeds the
 * draw's principal still owed (because it was already repaid) is returned to the customer. An upheld
 * dispute also reverses the charges the draw gave rise to (`reversalEvents`).
 */
import { Money } from '../../money/money';
import type { ProductTerms } from '../../terms/product-terms';
import type { CreditAccountCommand } from '../credit-account.commands';
import type { AllocationLine, CreditAccountEvent, DisputedDrawCharges, DisputedDrawMinimums, StatementComponent } from '../credit-account.events';
import { chargesToReverse } from './dispute-charges';
import { type CreditAccountState, type DrawState, placementOf, planUnbilledFees } from '../credit-account.state';
import { DomainError } from '../domain-error';
import { getEntry, ownValue } from '../sharded-record';
import { parsePositive } from './draws';
import { withSettlementFollowUps } from './settlement';

type Refund = Extract<CreditAccountCommand, { type: 'RefundDraw' }>;

export interface RefundAllocation {
  lines: AllocationLine[];
  returnedToCustomer: Money;
  feesWaived: Money;
}

export function allocateRefund(state: CreditAccountState, draw: DrawState, amount: Money): RefundAllocation {
  const lines: AllocationLine[] = [];
  let left = amount;
  const take = (owed: Money | undefined, line: (a: string) => AllocationLine) => {
    if (!owed || !left.isPositive() || !owed.isPositive()) return;
    const part = Money.min(left, owed);
    lines.push(line(part.toString()));
    left = left.minus(part);
  };
  const placement = placementOf(state, draw);
  let feesWaived = Money.ZERO;
  if (placement.kind === 'UNBILLED') {
    take(placement.remaining, (a) => ({ target: 'UNBILLED_REVOLVING', amount: a }));
  } else if (placement.kind === 'BILLED') {
    const statement = placement.statement;
    if (statement) take(ownValue(statement.billedDraws, draw.drawId), (a) => ({ target: 'STATEMENT', statementId: statement.id, component: 'REVOLVING_PRINCIPAL', amount: a }));
  } else {
    const plan = state.plans[placement.planId];
    if (!plan.closed) {
      const after = [...plan.remaining];
      for (let period = plan.periods; period >= plan.nextPeriod; period--) {
        take(plan.remaining[period - 1], (a) => {
          after[period - 1] = after[period - 1].minus(Money.of(a));
          return { target: 'UNBILLED_INSTALLMENT', planId: plan.planId, period, amount: a };
        });
      }
      // The fee of each period the refund leaves with no principal, which billing then does not charge.
      feesWaived = planUnbilledFees(plan).minus(planUnbilledFees(plan, after));
    }
    // Billed periods oldest statement first, as repayments are allocated: an overdue one stops accruing penalty interest first.
    for (const s of state.statements) {
      take(ownValue(s.billedPlans, placement.planId), (a) => ({ target: 'STATEMENT', statementId: s.id, component: 'INSTALLMENT_PRINCIPAL', amount: a }));
    }
  }
  return { lines, returnedToCustomer: left, feesWaived };
}

export function refundableAmount(draw: DrawState): Money {
  return draw.amount.minus(draw.refunded);
}

export function decideRefund(command: Refund, state: CreditAccountState, on: string, terms: ProductTerms): CreditAccountEvent[] {
  const draw = getEntry(state.draws, command.drawId);
  if (!draw) throw new DomainError('DRAW_NOT_FOUND', `no posted draw ${command.drawId}`, { drawId: command.drawId });
  const amount = parsePositive(command.amount, 'amount');
  const existing = ownValue(draw.refunds, command.refundId);
  if (existing) {
    if (existing.equals(amount)) return [];
    throw new DomainError('REFUND_EXISTS_WITH_DIFFERENT_AMOUNT', `refund ${command.refundId} was already applied with amount ${existing.toString()}`, {
      refundId: command.refundId,
      originalAmount: existing.toString(),
    });
  }
  const refundable = refundableAmount(draw);
  if (amount.greaterThan(refundable)) {
    throw new DomainError('REFUND_EXCEEDS_DRAW', `refund ${amount.toString()} exceeds the ${refundable.toString()} still refundable on draw ${draw.drawId}`, {
      field: 'amount',
      refundable: refundable.toString(),
    });
  }
  const { lines, returnedToCustomer, feesWaived } = allocateRefund(state, draw, amount);
  const refunded: CreditAccountEvent = {
    type: 'DrawRefunded',
    data: { on, drawId: draw.drawId, refundId: command.refundId, amount: amount.toString(), appliedTo: lines, returnedToCustomer: returnedToCustomer.toString(), feesWaived: feesWaived.toString() },
  };
  return withSettlementFollowUps(state, [refunded], on, terms);
}

/**
 * An upheld dispute reverses the draw in full (全额赔付): what is left of its principal like a full
 * refund, and the interest, penalty interest and installment fees it gave rise to (`charges`, from
 * `disputedDrawCharges`), and the statements' minimums set again without it (`minimums`, from
 * `disputedDrawMinimums`). The charges come off what is owed of their kind, oldest statement first (another
 * draw's interest included: interest is owed pooled); what is no longer owed of that kind is returned to
 * the customer, as principal already repaid is.
 */
export function reversalEvents(
  state: CreditAccountState,
  draw: DrawState,
  disputeId: string,
  on: string,
  charges: DisputedDrawCharges,
  minimums: DisputedDrawMinimums,
): CreditAccountEvent[] {
  const amount = refundableAmount(draw);
  if (!amount.isPositive() && !chargesToReverse(charges)) return [];
  const principal = amount.isPositive() ? allocateRefund(state, draw, amount) : { lines: [], returnedToCustomer: Money.ZERO, feesWaived: Money.ZERO };
  const given = allocateCharges(state, charges);
  return [
    {
      type: 'DrawReversed',
      data: {
        on,
        drawId: draw.drawId,
        disputeId,
        amount: amount.toString(),
        appliedTo: [...principal.lines, ...given.lines],
        returnedToCustomer: principal.returnedToCustomer.plus(given.returnedToCustomer).toString(),
        feesWaived: principal.feesWaived.toString(),
        charges,
        minimums,
      },
    },
  ];
}

/** Takes the charges off what is owed of their kind, oldest statement first; the rest is returned. */
function allocateCharges(state: CreditAccountState, charges: DisputedDrawCharges): { lines: AllocationLine[]; returnedToCustomer: Money } {
  const lines: AllocationLine[] = [];
  let returned = Money.ZERO;
  const kinds: [StatementComponent, Money][] = [
    ['PENALTY_INTEREST', Money.of(charges.penaltyInterest)],
    ['INTEREST', Money.of(charges.interest)],
    ['FEES', Money.of(charges.fees)],
  ];
  for (const [component, total] of kinds) {
    let left = total;
    for (const s of state.statements) {
      if (!left.isPositive()) break;
      const part = Money.min(left, s.owed[component]);
      if (!part.isPositive()) continue;
      lines.push({ target: 'STATEMENT', statementId: s.id, component, amount: part.toString() });
      left = left.minus(part);
    }
    returned = returned.plus(left);
  }
  return { lines, returnedToCustomer: returned };
}
