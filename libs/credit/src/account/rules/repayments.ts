/**
 * Repayment (PRODUCT.md §7). Allocation, statement by statement, oldest first: penalty interest,
 * interest, fees, installment principal, revolving principal; then unbilled revolving principal; then
 * installment principal not yet billed, next period first. Idempotent by payment reference.
 */
import { Money } from '../../money/money';
import type { ProductTerms } from '../../terms/product-terms';
import type { CreditAccountCommand } from '../credit-account.commands';
import type { AllocationLine, CreditAccountEvent } from '../credit-account.events';
import { COMPONENT_ORDER, type CreditAccountState, totalOwed } from '../credit-account.state';
import { accountNotFound, DomainError } from '../domain-error';
import { parsePositive } from './draws';
import { withSettlementFollowUps } from './settlement';
import { getEntry } from '../sharded-record';

type Receive = Extract<CreditAccountCommand, { type: 'ReceiveRepayment' }>;

export function allocateRepayment(state: CreditAccountState, amount: Money): { lines: AllocationLine[]; unallocated: Money } {
  const lines: AllocationLine[] = [];
  let left = amount;
  const take = (owed: Money, line: (amount: string) => AllocationLine) => {
    if (!left.isPositive() || !owed.isPositive()) return;
    const part = Money.min(left, owed);
    lines.push(line(part.toString()));
    left = left.minus(part);
  };
  for (const s of state.statements) {
    for (const component of COMPONENT_ORDER) take(s.owed[component], (a) => ({ target: 'STATEMENT', statementId: s.id, component, amount: a }));
  }
  take(state.unbilledRevolving, (a) => ({ target: 'UNBILLED_REVOLVING', amount: a }));
  const plans = Object.values(state.plans).filter((p) => !p.closed);
  const longest = Math.max(0, ...plans.map((p) => p.periods));
  for (let offset = 0; offset < longest; offset++) {
    for (const plan of plans) {
      const period = plan.nextPeriod + offset;
      if (period > plan.periods) continue;
      take(plan.remaining[period - 1], (a) => ({ target: 'UNBILLED_INSTALLMENT', planId: plan.planId, period, amount: a }));
    }
  }
  return { lines, unallocated: left };
}

export function decideRepayment(command: Receive, state: CreditAccountState, on: string, now: string, terms: ProductTerms): CreditAccountEvent[] {
  if (state.status === 'NONE') throw accountNotFound(state.accountId);
  const amount = parsePositive(command.amount, 'amount');
  const existing = getEntry(state.repayments, command.reference);
  if (existing) {
    if (existing.equals(amount)) return [];
    throw new DomainError('REPAYMENT_EXISTS_WITH_DIFFERENT_AMOUNT', `payment reference ${command.reference} was already received with amount ${existing.toString()}`, {
      reference: command.reference,
      originalAmount: existing.toString(),
    });
  }
  const owed = totalOwed(state);
  // A manual repayment above all that is owed is refused; an auto-debit has already moved the money,
  // so its excess is recorded and returned to the card rather than lost.
  if (command.channel === 'MANUAL' && amount.greaterThan(owed)) {
    throw new DomainError('REPAYMENT_EXCEEDS_BALANCE', `repayment ${amount.toString()} exceeds the ${owed.toString()} owed`, {
      field: 'amount',
      owed: owed.toString(),
    });
  }
  const { lines, unallocated } = allocateRepayment(state, amount);
  const received: CreditAccountEvent = {
    type: 'RepaymentReceived',
    data: { on, at: now, reference: command.reference, amount: amount.toString(), channel: command.channel, allocation: lines, returnedToCustomer: unallocated.toString() },
  };
  return withSettlementFollowUps(state, [received], on, terms);
}
