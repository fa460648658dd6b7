/**
 * Early payoff (提前还款, PRODUCT.md §5) carries no fee: the principal of every period not yet billed is
 * billed now, and the fees of those periods are waived, since they would pay for credit no longer used.
 */
import { Money } from '../money/money';
import type { InstallmentSchedule } from './installment-schedule';

export interface EarlyPayoff {
  remainingPrincipal: Money;
  waivedFees: Money;
}

/** `periodsBilled` counts the periods already billed on statements (0 before the first statement). */
export function earlyPayoff(schedule: InstallmentSchedule, periodsBilled: number): EarlyPayoff {
  if (!Number.isSafeInteger(periodsBilled) || periodsBilled < 0 || periodsBilled > schedule.periods) {
    throw new RangeError(
      `periods billed must be an integer from 0 to ${schedule.periods}, got ${periodsBilled}`,
    );
  }
  const unbilled = schedule.schedule.slice(periodsBilled);
  return {
    remainingPrincipal: Money.sum(unbilled.map((p) => p.principal)),
    waivedFees: Money.sum(unbilled.map((p) => p.fee)),
  };
}
