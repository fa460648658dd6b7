import { Money, rate } from '../money/money';
import { aprOfSchedule, IrrNotConvergedError, monthlyIrr, netPresentValue } from './apr';
import { installmentSchedule } from './installment-schedule';

const percent = (principal: string, periods: number, monthlyFeeRate: string) =>
  installmentSchedule(Money.of(principal), periods, rate(monthlyFeeRate)).apr.toFixed(4);

describe('the APR of an installment plan', () => {
  it('quotes 13.03% APR for 12 periods at 0.6% a month, not the naive 7.2%', () => {
    const payments = Array.from({ length: 12 }, () => Money.of('1072.00'));

    expect(aprOfSchedule(Money.of('12000.00'), payments).toFixed(4)).toBe('0.1303');
  });

  describe.each(['1200.00', '3600.00', '300.00'])(
    "on seed 000's fee table with a principal of %s",
    (principal) => {
      it('quotes 8.98% for 3 periods at 0.50% a month', () => {
        expect(percent(principal, 3, '0.005')).toBe('0.0898');
      });

      it('quotes 7.16% for 6 periods at 0.35% a month', () => {
        expect(percent(principal, 6, '0.0035')).toBe('0.0716');
      });

      it('quotes 5.49% for 12 periods at 0.25% a month', () => {
        expect(percent(principal, 12, '0.0025')).toBe('0.0549');
      });
    },
  );

  it("quotes 26.80%, 24.28% and 21.46% on seed 001's base table of 1.5%, 1.2% and 1.0% a month", () => {
    expect(percent('3000.00', 3, '0.015')).toBe('0.2680');
    expect(percent('3000.00', 6, '0.012')).toBe('0.2428');
    expect(percent('3000.00', 12, '0.01')).toBe('0.2146');
  });

  it('uses the actual cash flows, so an uneven principal keeps the figure when the remainder is tiny', () => {
    // 1,000.00 / 3 leaves 333.34 on the last period; the IRR moves in the 7th decimal only.
    expect(percent('1000.00', 3, '0.005')).toBe('0.0898');
  });

  it('quotes the IRR of the payments the schedule asks, not of n equal amounts, where the two round apart', () => {
    // 515.00 over 3 at 0.50%: fee 2.58 (2.575 half up), principal 171.66, 171.66, 171.68, so the payments
    // are 174.24, 174.24, 174.26. Paying the last 0.02 a month later costs less: 12 x IRR = 8.99491%,
    // where three equal payments of 174.2466... give 8.99508%, which would round to 9.00%.
    expect(percent('515.00', 3, '0.005')).toBe('0.0899');
    const equal = Money.of('522.74'); // 3 x 174.2466..., borrowing 3 x 515.00 keeps the IRR and the fen whole
    expect(aprOfSchedule(Money.of('1545.00'), [equal, equal, equal]).toFixed(4)).toBe('0.0900');
  });

  it('quotes 9.00% for 333.33 over 3 periods, because the fee rounds up from 1.66665 to 1.67', () => {
    expect(percent('333.33', 3, '0.005')).toBe('0.0900');
  });

  it('quotes 0% when the payments repay exactly the principal', () => {
    const payments = [Money.of('333.33'), Money.of('333.33'), Money.of('333.34')];

    expect(aprOfSchedule(Money.of('1000.00'), payments).isZero()).toBe(true);
  });

  it('solves the monthly IRR so the NPV at it is zero to far more precision than the quote needs', () => {
    const principal = Money.of('12000.00');
    const payments = Array.from({ length: 12 }, () => Money.of('1072.00'));
    const irr = monthlyIrr(principal, payments);

    expect(netPresentValue(principal, payments, irr).abs().lessThan('1e-20')).toBe(true);
    expect(irr.times(12).toFixed(8)).toBe('0.13034224');
  });

  it('solves a single payment exactly: 1,010.00 a month after borrowing 1,000.00 is 1% a month', () => {
    expect(
      monthlyIrr(Money.of('1000.00'), [Money.of('1010.00')])
        .toDecimalPlaces(20)
        .toFixed(),
    ).toBe('0.01');
    expect(aprOfSchedule(Money.of('1000.00'), [Money.of('1010.00')]).toFixed(4)).toBe('0.1200');
  });

  it('refuses payments that do not repay the principal, since no non-negative rate fits them', () => {
    expect(() => aprOfSchedule(Money.of('1000.00'), [Money.of('500.00'), Money.of('499.99')])).toThrow(
      IrrNotConvergedError,
    );
  });

  it('refuses cash flows implying more than 100% a month rather than quoting them', () => {
    expect(() => aprOfSchedule(Money.of('100.00'), [Money.of('300.00')])).toThrow(IrrNotConvergedError);
  });

  it('refuses a missing principal, no payments and negative payments', () => {
    expect(() => aprOfSchedule(Money.ZERO, [Money.of('1.00')])).toThrow(RangeError);
    expect(() => aprOfSchedule(Money.of('100.00'), [])).toThrow(RangeError);
    expect(() => aprOfSchedule(Money.of('100.00'), [Money.of('200.00'), Money.of('-50.00')])).toThrow(
      RangeError,
    );
  });
});
