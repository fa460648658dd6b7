/**
 * Installment conversion and early payoff (PRODUCT.md §5). A draw of at least the minimum amount may be
 * converted before it is first billed; the fee and APR come from the account's terms version.
 */
import { Money, rate } from '../../money/money';
import type { ProductTerms } from '../../terms/product-terms';
import { installmentSchedule, type InstallmentSchedule } from '../../installments';
import type { CreditAccountCommand } from '../credit-account.commands';
import type { CreditAccountEvent } from '../credit-account.events';
import { type CreditAccountState, type PlanState, placementOf, planNextPeriodFee, planUnbilledFees, planUnbilledPrincipal } from '../credit-account.state';
import { DomainError } from '../domain-error';
import { getEntry, ownValue } from '../sharded-record';
import { inactiveDetail } from './draws';

type Convert = Extract<CreditAccountCommand, { type: 'ConvertToInstallments' }>;
type PayOff = Extract<CreditAccountCommand, { type: 'PayOffInstallmentEarly' }>;

/** The quote shown before conversion: the schedule, the fees and the APR (IRR-based). */
export function quoteInstallments(amount: Money, periods: number, terms: ProductTerms): InstallmentSchedule {
  const feeRate = terms.installments.monthlyFeeRates[String(periods)];
  if (!feeRate) {
    throw new DomainError('INSTALLMENT_PERIODS_NOT_OFFERED', `${periods} periods are not offered; choose ${Object.keys(terms.installments.monthlyFeeRates).join(', ')}`, {
      field: 'periods',
      offered: Object.keys(terms.installments.monthlyFeeRates).map(Number),
    });
  }
  const minimum = Money.of(terms.installments.minDrawAmount);
  if (amount.lessThan(minimum)) {
    throw new DomainError('INSTALLMENT_NOT_ELIGIBLE', `installments start at ${minimum.toString()}`, { field: 'amount', minimum: minimum.toString() });
  }
  return installmentSchedule(amount, periods, rate(feeRate));
}

export function decideConversion(command: Convert, state: CreditAccountState, on: string, terms: ProductTerms): CreditAccountEvent[] {
  const draw = getEntry(state.draws, command.drawId);
  if (!draw) throw new DomainError('DRAW_NOT_FOUND', `no posted draw ${command.drawId}`, { drawId: command.drawId });
  const placement = placementOf(state, draw);
  if (placement.kind === 'INSTALLMENT') {
    if (state.plans[placement.planId].periods === command.periods) return [];
    // The conversion of this draw sent again with other periods: the same id, another payload.
    const periods = state.plans[placement.planId].periods;
    throw new DomainError('INSTALLMENT_EXISTS_WITH_DIFFERENT_PERIODS', `draw ${draw.drawId} is already in ${periods} installments`, { drawId: draw.drawId, periods });
  }
  const detail = inactiveDetail(state);
  if (detail !== null) throw new DomainError('ACCOUNT_NOT_ACTIVE', `the account is not active (${detail})`, { detail });
  if (placement.kind !== 'UNBILLED') {
    const on = placement.statement === null ? 'on a statement' : `on ${placement.statement.id}`;
    throw new DomainError('INSTALLMENT_NOT_ELIGIBLE', `draw ${draw.drawId} was already billed ${on}`, { drawId: draw.drawId });
  }
  const quote = quoteInstallments(placement.remaining, command.periods, terms);
  return [
    {
      type: 'InstallmentPlanCreated',
      data: {
        on,
        planId: draw.drawId,
        drawId: draw.drawId,
        principal: quote.principal.toString(),
        periods: quote.periods,
        monthlyFeeRate: quote.monthlyFeeRate.toFixed(),
        feePerPeriod: quote.schedule[0].fee.toString(),
        schedule: quote.schedule.map((p) => ({ period: p.index, principal: p.principal.toString(), fee: p.fee.toString() })),
        apr: quote.apr.toFixed(4),
        termsVersion: terms.version,
      },
    },
  ];
}

/** What an early payoff of an open plan brings forward, keeps and waives. */
export interface EarlyPayoff {
  principalAccelerated: Money;
  feeKept: Money;
  feesWaived: Money;
}

/**
 * PRODUCT.md §5: the remainder is billed now and future fees are waived. The period in progress is not a
 * future one: the customer has had its credit, so the next statement bills its fee as it would have.
 * Waiving it too would make a conversion paid off at once a month of credit for nothing. The payoff
 * command records this, and the plans query quotes it, so what support quotes is what the payoff does.
 */
export function earlyPayoffOf(plan: PlanState): EarlyPayoff {
  const feeKept = planNextPeriodFee(plan);
  return { principalAccelerated: planUnbilledPrincipal(plan), feeKept, feesWaived: planUnbilledFees(plan).minus(feeKept) };
}

/** The payoff's figures as the event records them and the plans view quotes them. */
export function earlyPayoffAmounts(payoff: EarlyPayoff): { principalAccelerated: string; feeKept: string; feesWaived: string } {
  return { principalAccelerated: payoff.principalAccelerated.toString(), feeKept: payoff.feeKept.toString(), feesWaived: payoff.feesWaived.toString() };
}

export function decideEarlyPayoff(command: PayOff, state: CreditAccountState, on: string): CreditAccountEvent[] {
  const plan = ownValue(state.plans, command.planId);
  if (!plan || plan.closed) throw new DomainError('INSTALLMENT_PLAN_NOT_FOUND', `no open installment plan ${command.planId}`, { planId: command.planId });
  if (plan.accelerated) return [];
  return [{ type: 'InstallmentPaidOffEarly', data: { on, planId: plan.planId, ...earlyPayoffAmounts(earlyPayoffOf(plan)) } }];
}
