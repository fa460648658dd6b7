/**
 * The schedule of an installment plan (PRODUCT.md §5): equal principal per period rounded down to the fen
 * with the remainder on the last period, and the same fee every period, charged on the original principal.
 */
import { DomainError } from '../account/domain-error';
import { type Dec, Money } from '../money/money';
import { aprOfSchedule } from './apr';

export interface InstallmentPeriod {
  /** 1-based: period 1 is billed on the first statement after conversion. */
  index: number;
  principal: Money;
  fee: Money;
  total: Money;
}

export interface InstallmentSchedule {
  principal: Money;
  periods: number;
  monthlyFeeRate: Dec;
  schedule: InstallmentPeriod[];
  totalFee: Money;
  totalRepayable: Money;
  /** Annual, as a fraction rounded half-up to 4 decimals: 0.1303 is 13.03%. */
  apr: Dec;
}

export function installmentSchedule(
  principal: Money,
  periods: number,
  monthlyFeeRate: Dec,
): InstallmentSchedule {
  if (!principal.isPositive() || !principal.isWholeFen()) {
    throw new DomainError(
      'INVALID_AMOUNT',
      `an installment principal must be a positive whole number of fen, got ${principal.toExactString()}`,
      {
        field: 'principal',
      },
    );
  }
  if (!Number.isSafeInteger(periods) || periods < 1) {
    throw new DomainError(
      'INSTALLMENT_PERIODS_NOT_OFFERED',
      `the number of periods must be a positive integer, got ${periods}`,
      { field: 'periods' },
    );
  }
  if (monthlyFeeRate.isNegative() || !monthlyFeeRate.isFinite()) {
    throw new RangeError(
      `the monthly fee rate must be a non-negative decimal, got ${monthlyFeeRate.toString()}`,
    );
  }

  const fee = principal.times(monthlyFeeRate).roundHalfUpToFen();
  // Flooring every period but the last keeps each bill at or under an equal share; the last absorbs the fen left over.
  const perPeriod = principal.dividedBy(periods).floorToFen();
  const last = principal.minus(perPeriod.times(String(periods - 1)));
  const schedule: InstallmentPeriod[] = [];
  for (let index = 1; index <= periods; index++) {
    const periodPrincipal = index === periods ? last : perPeriod;
    schedule.push({ index, principal: periodPrincipal, fee, total: periodPrincipal.plus(fee) });
  }

  const totalFee = fee.times(String(periods));
  return {
    principal,
    periods,
    monthlyFeeRate,
    schedule,
    totalFee,
    totalRepayable: principal.plus(totalFee),
    apr: aprOfSchedule(
      principal,
      schedule.map((p) => p.total),
    ),
  };
}
