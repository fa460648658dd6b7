/**
 * Quarterly limit review (PRODUCT.md §9), run when the last day of a quarter closes and effective the
 * first day of the next. Recorded with its inputs, decision and reasons even when nothing changes.
 *   1. any overdue day in the quarter -> decrease 20% (down to a multiple of 100), never below the floor
 *      nor below what is owed (rounded up to 100), never above the old limit;
 *   2. else utilization >= 30% and every statement due in the quarter met its minimum by its due date ->
 *      increase 20% (down to a multiple of 100), capped by pay score and by the absolute ceiling, never
 *      below the old limit. At least one statement must have fallen due: an account with none (opened
 *      late in the quarter) has shown nothing of how it repays, and keeps its limit (NO_STATEMENT_DUE);
 *   3. else unchanged.
 * Then a limit at or above 20,000 with a pay score of 750 or more earns the premium rate.
 */
import { Dec, Money } from '../../money/money';
import type { ProductTerms } from '../../terms/product-terms';
import { addDays, lastOfQuarter, quarterOf } from '../../time/local-date';
import { penaltyDailyRate } from '../../interest/accrual';
import type { CreditAccountEvent, CreditLimitReviewedData } from '../credit-account.events';
import { type CreditAccountState, totalOwed } from '../credit-account.state';
import { accumulateQuarter } from '../evolve';

/** Each terms' caps as Money, parsed once: every account's review on a quarter's last day reads them. */
const capLimits = new WeakMap<ProductTerms['review']['caps'], Money[]>();

function payScoreCap(payScore: number, terms: ProductTerms): Money {
  const caps = terms.review.caps;
  let limits = capLimits.get(caps);
  if (limits === undefined) capLimits.set(caps, (limits = caps.map((c) => Money.of(c.maxLimit))));
  // The highest tier the score reaches; below every tier, the first.
  for (let i = caps.length - 1; i >= 0; i--) if (payScore >= caps[i].minPayScore) return limits[i];
  return limits[0];
}

export function reviewEvents(state: CreditAccountState, closing: string, terms: ProductTerms): CreditAccountEvent[] {
  const quarter = quarterOf(closing);
  if (state.status !== 'ACTIVE' || closing !== lastOfQuarter(quarter) || state.lastReviewedQuarter === quarter) return [];
  const on = addDays(closing, 1);
  const stats = accumulateQuarter(state.quarter, on);
  if (!stats) return [];
  const owed = totalOwed(state);
  const oldLimit = state.limit;
  const utilization =
    stats.daysObserved === 0 || oldLimit.isZero() ? new Dec(0) : stats.owedDaysSum.value.div(stats.daysObserved).div(oldLimit.value);
  const allOnTime = stats.statementsDue > 0 && stats.statementsPaidOnTime === stats.statementsDue;
  const reasons: string[] = [];
  let decision: CreditLimitReviewedData['decision'] = 'UNCHANGED';
  let newLimit = oldLimit;
  if (stats.overdueDays > 0 || stats.overdueEpisodes > 0) {
    decision = 'DECREASED';
    reasons.push('OVERDUE_IN_QUARTER');
    const lowered = oldLimit.times(terms.review.decreaseFactor).floorToMultipleOf(terms.review.roundingStep);
    const floor = Money.max(Money.of(terms.review.floorLimit), owed.ceilToMultipleOf(terms.review.roundingStep));
    newLimit = Money.min(oldLimit, Money.max(lowered, floor));
    if (newLimit.equals(oldLimit)) {
      decision = 'UNCHANGED';
      reasons.push('AT_FLOOR');
    }
  } else if (utilization.greaterThanOrEqualTo(terms.review.minUtilizationForIncrease) && allOnTime) {
    reasons.push('UTILIZATION_AND_PAYMENTS_MET');
    const raised = oldLimit.times(terms.review.increaseFactor).floorToMultipleOf(terms.review.roundingStep);
    const cap = Money.min(payScoreCap(state.payScore, terms), Money.of(terms.maxLimit));
    newLimit = Money.max(oldLimit, Money.min(raised, cap));
    decision = newLimit.greaterThan(oldLimit) ? 'INCREASED' : 'UNCHANGED';
    if (raised.greaterThan(cap)) reasons.push('CAPPED_BY_PAY_SCORE');
  } else {
    if (stats.statementsDue === 0) reasons.push('NO_STATEMENT_DUE');
    else if (!allOnTime) reasons.push('MINIMUM_NOT_MET_BY_DUE_DATE');
    if (utilization.lessThan(terms.review.minUtilizationForIncrease)) reasons.push('LOW_UTILIZATION');
  }
  let newDailyRate = state.dailyRate;
  const premium = newLimit.greaterThanOrEqual(Money.of(terms.review.premiumLimitFrom)) && state.payScore >= terms.review.premiumPayScoreFrom;
  if (premium && new Dec(terms.review.premiumDailyRate).lessThan(state.dailyRate)) {
    newDailyRate = terms.review.premiumDailyRate;
    reasons.push('PREMIUM_RATE');
  }
  return [
    {
      type: 'CreditLimitReviewed',
      data: {
        on,
        quarter,
        inputs: {
          averageUtilization: utilization.toDecimalPlaces(6, Dec.ROUND_HALF_UP).toFixed(),
          overdueDays: stats.overdueDays,
          overdueEpisodes: stats.overdueEpisodes,
          statementsDue: stats.statementsDue,
          statementsPaidOnTime: stats.statementsPaidOnTime,
          payScore: state.payScore,
          owed: owed.toString(),
        },
        decision,
        reasons,
        oldLimit: oldLimit.toString(),
        newLimit: newLimit.toString(),
        oldDailyRate: state.dailyRate,
        newDailyRate,
        newPenaltyDailyRate: penaltyDailyRate(newDailyRate, terms.penalty.multiplier, terms.penalty.dailyRateCap),
        termsVersion: terms.version,
      },
    },
  ];
}
