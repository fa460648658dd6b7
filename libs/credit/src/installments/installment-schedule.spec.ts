import { DomainError } from '../account/domain-error';
import { Money, rate } from '../money/money';
import { installmentSchedule } from './installment-schedule';

const amounts = (money: Money[]) => money.map((m) => m.toString());

describe('an installment schedule', () => {
  it('floors the principal per period and puts the remainder on the last period', () => {
    const plan = installmentSchedule(Money.of('1000.00'), 3, rate('0.005'));

    expect(amounts(plan.schedule.map((p) => p.principal))).toEqual(['333.33', '333.33', '333.34']);
    expect(Money.sum(plan.schedule.map((p) => p.principal)).equals(plan.principal)).toBe(true);
  });

  it('charges the same fee every period, on the original principal', () => {
    const plan = installmentSchedule(Money.of('12000.00'), 12, rate('0.006'));

    expect(new Set(plan.schedule.map((p) => p.fee.toString()))).toEqual(new Set(['72.00']));
    expect(amounts(plan.schedule.map((p) => p.total))).toEqual(Array(12).fill('1072.00'));
    expect(plan.totalFee.toString()).toBe('864.00');
    expect(plan.totalRepayable.toString()).toBe('12864.00');
  });

  it('rounds a fee of exactly half a fen up, where half-even would round it down', () => {
    // 301.00 x 0.5% = 1.505 and 306.00 x 0.25% = 0.765: half-even would give 1.50 and 0.76.
    expect(installmentSchedule(Money.of('301.00'), 3, rate('0.005')).schedule[0].fee.toString()).toBe('1.51');
    expect(installmentSchedule(Money.of('306.00'), 12, rate('0.0025')).schedule[0].fee.toString()).toBe(
      '0.77',
    );
  });

  it('rounds a fee below half a fen down', () => {
    // 300.01 x 0.35% = 1.050035.
    expect(installmentSchedule(Money.of('300.01'), 6, rate('0.0035')).schedule[0].fee.toString()).toBe(
      '1.05',
    );
  });

  it('totals the fee as the number of periods times the per-period fee', () => {
    const plan = installmentSchedule(Money.of('1234.56'), 6, rate('0.0035'));

    expect(plan.schedule[0].fee.toString()).toBe('4.32');
    expect(plan.totalFee.toString()).toBe('25.92');
    expect(plan.totalRepayable.equals(plan.principal.plus(plan.totalFee))).toBe(true);
  });

  it('numbers the periods from 1', () => {
    const plan = installmentSchedule(Money.of('600.00'), 6, rate('0.0035'));

    expect(plan.schedule.map((p) => p.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(plan.periods).toBe(6);
  });

  it('quotes the IRR-based APR with the schedule', () => {
    expect(installmentSchedule(Money.of('12000.00'), 12, rate('0.006')).apr.toFixed(4)).toBe('0.1303');
  });

  it('quotes a fee-free plan at 0% APR', () => {
    const plan = installmentSchedule(Money.of('1000.00'), 3, rate('0'));

    expect(plan.totalFee.isZero()).toBe(true);
    expect(plan.apr.isZero()).toBe(true);
  });

  it.each(['0.00', '-300.00'])('refuses a principal of %s with INVALID_AMOUNT', (amount) => {
    expect(() => installmentSchedule(Money.of(amount), 3, rate('0.005'))).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT' }),
    );
  });

  it('refuses a principal with fractions of a fen', () => {
    expect(() => installmentSchedule(Money.exact('300.001'), 3, rate('0.005'))).toThrow(DomainError);
  });

  it.each([0, -3, 7 / 2, Number.NaN])('refuses %p periods', (periods) => {
    expect(() => installmentSchedule(Money.of('300.00'), periods, rate('0.005'))).toThrow(
      expect.objectContaining({ code: 'INSTALLMENT_PERIODS_NOT_OFFERED' }),
    );
  });
});
