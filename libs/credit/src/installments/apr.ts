/**
 * The APR quoted with every installment offer (PRODUCT.md §5): the internal rate of return of the actual
 * cash flows, annualized as 12 x the monthly rate. A flat fee on the original principal costs far more
 * than 12 x the fee rate suggests, because the borrower repays principal every month while the fee stays
 * charged on the whole amount; the IRR is what makes that visible.
 */
import { Dec, type Money } from '../money/money';

/**
 * The monthly IRR is solved far beyond the 4 decimals of the quote, so the half-up rounding of the APR
 * can never be decided by solver noise.
 */
const IRR_TOLERANCE = new Dec('1e-30');

/**
 * Newton's method converges in a handful of steps; bisection, used whenever a Newton step would leave the
 * bracket, halves it each step, so 200 steps shrink a bracket of width 1 to about 1e-60, well under the
 * tolerance. The bound only exists so a bug can never loop forever.
 */
const MAX_STEPS = 200;

/**
 * No consumer installment plan comes near 100% a month; a root not bracketed by then means the cash flows
 * are not a loan at all, and we refuse rather than quote nonsense.
 */
const MAX_MONTHLY_RATE = new Dec(1);

export class IrrNotConvergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IrrNotConvergedError';
  }
}

/** Net present value at a monthly rate `r` of borrowing `principal` now and paying `payments[k]` at the end of month k+1. */
export function netPresentValue(principal: Money, payments: readonly Money[], monthlyRate: Dec): Dec {
  return npvAndSlope(principal, payments, monthlyRate).npv;
}

/**
 * The exact monthly rate at which the payments repay the principal, unrounded. With positive payments the
 * NPV falls strictly as the rate rises, so there is exactly one root; a bracketed Newton iteration finds it
 * deterministically.
 */
export function monthlyIrr(principal: Money, payments: readonly Money[]): Dec {
  assertLoanCashFlows(principal, payments);
  const repaid = payments.reduce((sum, p) => sum.plus(p.value), new Dec(0));
  // Repaying exactly the principal is interest-free; answering 0 exactly avoids an iteration that can only approach it.
  if (repaid.equals(principal.value)) return new Dec(0);
  if (repaid.lessThan(principal.value)) {
    throw new IrrNotConvergedError(
      `payments of ${repaid.toFixed()} do not repay the principal ${principal.value.toFixed()}; no non-negative rate exists`,
    );
  }

  let low = new Dec(0);
  let high = MAX_MONTHLY_RATE;
  if (netPresentValue(principal, payments, high).greaterThan(0)) {
    throw new IrrNotConvergedError(
      `the cash flows imply more than ${MAX_MONTHLY_RATE.times(100).toFixed()}% a month`,
    );
  }
  // Simple interest over the average life of the loan is close to the root, so Newton starts near it.
  const averageLifeInMonths = (payments.length + 1) / 2;
  const simpleInterestRate = repaid.div(principal.value).minus(1).div(averageLifeInMonths);
  let rate = Dec.min(simpleInterestRate, high.div(2));
  for (let step = 0; step < MAX_STEPS; step++) {
    const { npv, slope } = npvAndSlope(principal, payments, rate);
    if (npv.isZero()) return rate;
    if (npv.greaterThan(0)) low = rate;
    else high = rate;
    const newton = rate.minus(npv.div(slope));
    const next = newton.greaterThan(low) && newton.lessThan(high) ? newton : low.plus(high).div(2);
    const settled = next.minus(rate).abs().lessThan(IRR_TOLERANCE) || high.minus(low).lessThan(IRR_TOLERANCE);
    if (settled) return next;
    rate = next;
  }
  throw new IrrNotConvergedError(
    `the IRR did not converge to ${IRR_TOLERANCE.toFixed()} in ${MAX_STEPS} steps`,
  );
}

/** The quoted APR: 12 x the monthly IRR as a fraction, rounded half-up to 4 decimals (2 decimals of a percent). */
export function aprOfSchedule(principal: Money, payments: readonly Money[]): Dec {
  return monthlyIrr(principal, payments).times(12).toDecimalPlaces(4, Dec.ROUND_HALF_UP);
}

/** The NPV and its derivative in the rate, which Newton's method needs; both in one pass over the payments. */
function npvAndSlope(
  principal: Money,
  payments: readonly Money[],
  monthlyRate: Dec,
): { npv: Dec; slope: Dec } {
  const discount = new Dec(1).div(new Dec(1).plus(monthlyRate));
  let factor = new Dec(1);
  let npv = principal.value.negated();
  let slope = new Dec(0);
  payments.forEach((payment, k) => {
    factor = factor.times(discount);
    const presentValue = payment.value.times(factor);
    npv = npv.plus(presentValue);
    // d/dr of p / (1 + r)^(k+1) is -(k+1) p / (1 + r)^(k+2).
    slope = slope.minus(presentValue.times(k + 1).times(discount));
  });
  return { npv, slope };
}

function assertLoanCashFlows(principal: Money, payments: readonly Money[]): void {
  if (!principal.isPositive())
    throw new RangeError(`the principal must be positive, got ${principal.toExactString()}`);
  if (payments.length === 0) throw new RangeError('an APR needs at least one payment');
  const negative = payments.findIndex((p) => p.isNegative());
  if (negative >= 0)
    throw new RangeError(`payment ${negative + 1} is negative: ${payments[negative].toExactString()}`);
}
