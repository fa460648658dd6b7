import { Money } from '../money/money';
import { initialState } from './credit-account.state';
import { deserializeState, serializeState } from './state-codec';

describe('the account state codec', () => {
  it('brings Money back as Money, exact amounts included, and plain strings as strings', () => {
    const state = { ...initialState('acc-1'), limit: Money.of('2200.00'), roundingResidual: { interest: Money.exact('0.00123'), penaltyInterest: Money.ZERO }, dailyRate: '0.0005' };
    const back = deserializeState(serializeState(state));
    expect(back.limit).toBeInstanceOf(Money);
    expect(back.limit.toString()).toBe('2200.00');
    expect(back.roundingResidual.interest.toExactString()).toBe('0.00123');
    expect(back.dailyRate).toBe('0.0005');
    expect(serializeState(back)).toBe(serializeState(state));
  });

  it('keeps a caller-chosen id of "__proto__" as an ordinary key', () => {
    const orders = JSON.parse('{"__proto__": {"outcome": "DECLINED", "merchant": "m", "reason": "X"}}');
    orders.__proto__.amount = Money.of('1.00');
    const state = { ...initialState('acc-2'), orders };
    const back = deserializeState(serializeState(state));
    expect(Object.keys(back.orders)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back.orders)).toBe(Object.prototype);
    expect(back.orders['__proto__'].amount.toString()).toBe('1.00');
  });
});
