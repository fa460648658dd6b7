import fc from 'fast-check';
import { Money, rate } from '../money/money';
import { monthlyIrr, netPresentValue } from './apr';
import { installmentSchedule } from './installment-schedule';

// Seed 000's table and the range of seed 001's tables (base and promotional rates).
const FEE_RATES = ['0.005', '0.0035', '0.0025', '0.006', '0.008', '0.009', '0.01', '0.012', '0.015'];

const plans = fc.record({
  principal: fc.bigInt(30_000n, 5_000_000n).map((fen) => Money.fromFen(fen)),
  periods: fc.constantFrom(3, 6, 12),
  monthlyFeeRate: fc.constantFrom(...FEE_RATES).map(rate),
});

const RUNS = { numRuns: 300 };

describe('every installment schedule', () => {
  it('repays exactly the principal across its periods', () => {
    fc.assert(
      fc.property(plans, ({ principal, periods, monthlyFeeRate }) => {
        const plan = installmentSchedule(principal, periods, monthlyFeeRate);
        expect(plan.schedule).toHaveLength(periods);
        expect(Money.sum(plan.schedule.map((p) => p.principal)).equals(principal)).toBe(true);
      }),
      RUNS,
    );
  });

  it('holds only whole-fen amounts', () => {
    fc.assert(
      fc.property(plans, ({ principal, periods, monthlyFeeRate }) => {
        const plan = installmentSchedule(principal, periods, monthlyFeeRate);
        const amounts = [
          plan.totalFee,
          plan.totalRepayable,
          ...plan.schedule.flatMap((p) => [p.principal, p.fee, p.total]),
        ];
        expect(amounts.every((a) => a.isWholeFen())).toBe(true);
      }),
      RUNS,
    );
  });

  it('keeps every period but the last equal, and the last at most n-1 fen above them', () => {
    fc.assert(
      fc.property(plans, ({ principal, periods, monthlyFeeRate }) => {
        const plan = installmentSchedule(principal, periods, monthlyFeeRate);
        const [first] = plan.schedule;
        const last = plan.schedule[periods - 1];
        expect(plan.schedule.slice(0, -1).every((p) => p.principal.equals(first.principal))).toBe(true);
        expect(last.principal.greaterThanOrEqual(first.principal)).toBe(true);
        expect(last.principal.lessThan(first.principal.plus(Money.fromFen(BigInt(periods))))).toBe(true);
      }),
      RUNS,
    );
  });

  it('charges the same fee every period, totalling n times it', () => {
    fc.assert(
      fc.property(plans, ({ principal, periods, monthlyFeeRate }) => {
        const plan = installmentSchedule(principal, periods, monthlyFeeRate);
        const fee = plan.schedule[0].fee;
        expect(plan.schedule.every((p) => p.fee.equals(fee) && p.total.equals(p.principal.plus(fee)))).toBe(
          true,
        );
        expect(plan.totalFee.equals(fee.times(String(periods)))).toBe(true);
      }),
      RUNS,
    );
  });

  it('quotes an APR above 12 times the monthly fee rate, since the fee is charged on principal already repaid', () => {
    fc.assert(
      fc.property(plans, ({ principal, periods, monthlyFeeRate }) => {
        const plan = installmentSchedule(principal, periods, monthlyFeeRate);
        expect(plan.apr.greaterThan(monthlyFeeRate.times(12))).toBe(true);
        expect(plan.apr.decimalPlaces()).toBeLessThanOrEqual(4);
      }),
      RUNS,
    );
  });

  it('solves a monthly IRR at which the cash flows have a net present value of zero', () => {
    fc.assert(
      fc.property(plans, ({ principal, periods, monthlyFeeRate }) => {
        const payments = installmentSchedule(principal, periods, monthlyFeeRate).schedule.map((p) => p.total);
        const irr = monthlyIrr(principal, payments);
        expect(netPresentValue(principal, payments, irr).abs().lessThan('1e-20')).toBe(true);
      }),
      RUNS,
    );
  });
});
