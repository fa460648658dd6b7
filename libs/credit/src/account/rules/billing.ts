/**
 * Billing (PRODUCT.md §6). Closing the last day of month M issues M's statement, dated the 1st of M+1:
 * the revolving principal still unbilled, one period of each installment plan, the month's interest and
 * penalty interest (exact daily sums, less the shares of draws reversed by upheld disputes, rounded
 * half-up once), fees, and the unpaid balance of earlier statements. Minimum = 10% of the statement
 * balance rounded up to the fen, plus overdue amounts still unpaid, never more than the statement
 * balance. Auto-repayment of the full balance is requested at once.
 */
import { Money } from '../../money/money';
import type { ProductTerms } from '../../terms/product-terms';
import { addDays, dayOfMonth, firstOfMonth, monthOf, nextMonth } from '../../time/local-date';
import { accrueDays } from '../../interest/accrual';
import type { CreditAccountCommand } from '../credit-account.commands';
import type { AccrualBreakdown, BilledInstallmentPeriod, CreditAccountEvent, StatementIssuedData } from '../credit-account.events';
import { billedOwed, bucketsTotal, type CreditAccountState, overdueAmount } from '../credit-account.state';
import { DomainError } from '../domain-error';
import { getEntry } from '../sharded-record';

/**
 * The month's exact sum, charged less what upheld disputes took off it (`reversed`), rounded half-up once:
 * what billing records, and what an audit of a statement expects it to record.
 */
export function accrualBreakdown(exact: Money, reversed: Money | undefined): AccrualBreakdown {
  const net = reversed ? exact.minus(reversed) : exact;
  const charged = net.roundHalfUpToFen();
  const figures: AccrualBreakdown = { exact: exact.toExactString(), charged: charged.toString(), residual: net.minus(charged).toExactString() };
  if (reversed && !reversed.isZero()) figures.reversed = reversed.toExactString();
  return figures;
}

export function billedInstallmentPeriods(state: CreditAccountState): BilledInstallmentPeriod[] {
  const periods: BilledInstallmentPeriod[] = [];
  for (const plan of Object.values(state.plans)) {
    if (plan.closed) continue;
    if (plan.accelerated) {
      // The period in progress at the payoff keeps its fee (`payoffFee`); the later ones were waived.
      const principal = Money.sum(plan.remaining.slice(plan.nextPeriod - 1));
      const fee = plan.payoffFee !== undefined && !principal.isZero() ? plan.payoffFee.toString() : '0.00';
      periods.push({ planId: plan.planId, period: plan.nextPeriod, principal: principal.toString(), fee });
    } else {
      // A period whose principal was prepaid or refunded carries no fee: early repayment has no fee.
      const principal = plan.remaining[plan.nextPeriod - 1];
      periods.push({ planId: plan.planId, period: plan.nextPeriod, principal: principal.toString(), fee: principal.isZero() ? '0.00' : plan.feePerPeriod.toString() });
    }
  }
  return periods;
}

/**
 * The draws of the cycle still revolving, as the statement shows them. The cycle's running figure
 * (`cycle.newDraws`) takes a converted draw's plan principal off, which falls short of the draw by what
 * was repaid or refunded of it before the conversion; here the whole draw comes off. An open plan still
 * at its first period was made in this cycle: the last statement billed a period of every open plan.
 * A plan closed before it billed anything (refunded, reversed) cannot be told from one of an earlier
 * cycle, so its draw keeps what was repaid or refunded of it before the conversion in the figure, as
 * before. The running figure stays as it is: it is folded state, which snapshots and the projections
 * keep, so changing `evolve` would change states already written.
 */
function newDrawsStillRevolving(state: CreditAccountState): Money {
  let newDraws = state.cycle.newDraws;
  for (const plan of Object.values(state.plans)) {
    if (plan.closed || plan.nextPeriod !== 1) continue;
    const draw = getEntry(state.draws, plan.drawId);
    if (draw !== undefined) newDraws = newDraws.plus(plan.principal).minus(draw.amount);
  }
  return newDraws;
}

/**
 * The statement of `month` with its interest accrued through `lastDay`, and whether there is anything to
 * issue (a balance or some activity). Billing drafts it with `lastDay` the month's last day; the next
 * statement's preview with the last closed day, so what it shows so far is what billing would add up.
 */
export function draftStatement(state: CreditAccountState, month: string, lastDay: string, terms: ProductTerms): { data: StatementIssuedData; issue: boolean; statementBalance: Money } {
  const on = addDays(lastDay, 1);
  // Interest accrues from the day after the last statement (or the activation). A month with nothing owed
  // and no activity gets no statement and accrues nothing, so the statement's cycle is its calendar month
  // (PRODUCT.md §6), or the part of it after the activation; the months skipped before add nothing.
  const accrualFrom = state.accrual.periodStart ?? on;
  const periodFrom = accrualFrom > firstOfMonth(month) ? accrualFrom : firstOfMonth(month);
  const accrued = accrueDays(state.accrual.segments, accrualFrom, lastDay);
  const interest = accrualBreakdown(accrued.interest, state.accrual.reversed?.interest);
  const penaltyInterest = accrualBreakdown(accrued.penaltyInterest, state.accrual.reversed?.penaltyInterest);
  const installmentPeriods = billedInstallmentPeriods(state);
  const fees = Money.sum(installmentPeriods.map((p) => Money.of(p.fee)));
  const installmentPrincipal = Money.sum(installmentPeriods.map((p) => Money.of(p.principal)));
  const revolving = state.unbilledRevolving;
  const own = Money.of(interest.charged).plus(Money.of(penaltyInterest.charged)).plus(fees).plus(installmentPrincipal).plus(revolving);
  const previousBalance = billedOwed(state);
  const statementBalance = previousBalance.plus(own);
  // An installment period falling due is activity even when prepaid: the plan's schedule must advance.
  const activity =
    !state.cycle.newDraws.isZero() || !state.cycle.refunds.isZero() || !accrued.interest.isZero() || !accrued.penaltyInterest.isZero() || installmentPeriods.length > 0;
  const overdueIncluded = overdueAmount(state);
  const tenPercent = statementBalance.times(terms.billing.minimumRepaymentRate).ceilToFen();
  const minimum = Money.min(statementBalance, tenPercent.plus(overdueIncluded));
  const data: StatementIssuedData = {
    on,
    statementId: month,
    periodFrom,
    periodTo: lastDay,
    dueDate: dayOfMonth(nextMonth(month), terms.billing.dueDayOfMonth),
    newDraws: newDrawsStillRevolving(state).toString(),
    refunds: state.cycle.refunds.toString(),
    revolvingPrincipal: revolving.toString(),
    installmentPeriods,
    interest,
    penaltyInterest,
    fees: fees.toString(),
    previousBalance: previousBalance.toString(),
    statementBalance: statementBalance.toString(),
    overdueIncluded: overdueIncluded.toString(),
    minimumRepayment: minimum.toString(),
    termsVersion: terms.version,
  };
  return { data, issue: !statementBalance.isZero() || activity, statementBalance };
}

/** The statement for the month ending on `lastDay`, or nothing when there is nothing to bill or show. */
export function statementEvents(state: CreditAccountState, lastDay: string, terms: ProductTerms): CreditAccountEvent[] {
  const month = monthOf(lastDay);
  if (state.status !== 'ACTIVE' || (state.lastStatementId !== null && state.lastStatementId >= month)) return [];
  const { data, issue, statementBalance } = draftStatement(state, month, lastDay, terms);
  if (!issue) return [];
  const on = data.on;
  const events: CreditAccountEvent[] = [{ type: 'StatementIssued', data }];
  if (statementBalance.isPositive() && state.autoRepayCardLast4) {
    events.push({ type: 'AutoRepaymentRequested', data: { on, statementId: month, amount: statementBalance.toString(), cardLast4: state.autoRepayCardLast4 } });
  }
  return events;
}

/**
 * A failed auto-repayment debit, recorded against the statement it was requested for. Refused for a
 * statement with nothing billed up to it still owed: no debit was requested for it (it billed nothing to
 * pay) or what it asked has been paid since, so the failure would record a debit that was owed by no one.
 */
export function decideAutoRepaymentFailure(
  command: Extract<CreditAccountCommand, { type: 'RecordAutoRepaymentFailure' }>,
  state: CreditAccountState,
  on: string,
): CreditAccountEvent[] {
  const { statementId } = command;
  const index = state.statements.findIndex((st) => st.id === statementId);
  // A statement settled after its due date is no longer kept; the last one issued is known by its id.
  if (index < 0 && state.lastStatementId !== statementId) throw new DomainError('STATEMENT_NOT_FOUND', `no statement ${statementId}`, { statementId });
  const owedUpTo = index < 0 ? Money.ZERO : Money.sum(state.statements.slice(0, index + 1).map((st) => bucketsTotal(st.owed)));
  if (owedUpTo.isZero()) {
    throw new DomainError('STATEMENT_SETTLED', `nothing billed up to statement ${statementId} is owed: no auto-repayment of it is outstanding to fail`, { field: 'statementId', statementId });
  }
  return [{ type: 'AutoRepaymentFailed', data: { on, statementId, reason: command.reason } }];
}
