import { Money, rate } from '../money/money';
import { earlyPayoff } from './early-payoff';
import { installmentSchedule } from './installment-schedule';

describe('paying off an installment plan early', () => {
  const plan = installmentSchedule(Money.of('1000.00'), 3, rate('0.005'));

  it('bills all the principal and waives every fee before the first statement', () => {
    const payoff = earlyPayoff(plan, 0);

    expect(payoff.remainingPrincipal.toString()).toBe('1000.00');
    expect(payoff.waivedFees.toString()).toBe('15.00');
  });

  it('bills the unbilled principal, including the last period remainder, and waives only future fees', () => {
    const payoff = earlyPayoff(plan, 1);

    expect(payoff.remainingPrincipal.toString()).toBe('666.67');
    expect(payoff.waivedFees.toString()).toBe('10.00');
  });

  it('leaves nothing to bill or waive once every period is billed', () => {
    const payoff = earlyPayoff(plan, 3);

    expect(payoff.remainingPrincipal.isZero()).toBe(true);
    expect(payoff.waivedFees.isZero()).toBe(true);
  });

  it('charges no fee of its own: what was billed plus the payoff is the principal plus the billed fees only', () => {
    const big = installmentSchedule(Money.of('12000.00'), 12, rate('0.006'));
    const billed = big.schedule.slice(0, 4);
    const payoff = earlyPayoff(big, 4);

    const paid = Money.sum(billed.map((p) => p.total)).plus(payoff.remainingPrincipal);
    expect(paid.toString()).toBe('12288.00');
    expect(payoff.waivedFees.toString()).toBe('576.00');
  });

  it.each([-1, 4, 3 / 2])('refuses %p periods billed on a 3-period plan', (periodsBilled) => {
    expect(() => earlyPayoff(plan, periodsBilled)).toThrow(RangeError);
  });
});
