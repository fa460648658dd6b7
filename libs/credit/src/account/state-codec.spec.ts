import fc from 'fast-check';
import { Money } from '../money/money';
import { initialState, type OrderRecord } from './credit-account.state';
import { emptySharded, getEntry, sizeOf, withEntries } from './sharded-record';
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
    // Repayment references are caller-chosen ids kept as plain keys (orders and draws are sharded records).
    const repayments = JSON.parse('{"__proto__": null}');
    repayments.__proto__ = Money.of('1.00');
    const state = { ...initialState('acc-2'), repayments };
    const back = deserializeState(serializeState(state));
    expect(Object.keys(back.repayments)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back.repayments)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back.repayments, '__proto__')?.value.toString()).toBe('1.00');
  });

  it('reads the sharded records of a version 3 snapshot, an object keyed by shard, into the same slots', () => {
    const entries = Array.from({ length: 200 }, (_, i) => [`o-${i}`, { outcome: 'DECLINED' as const, amount: Money.of(`${i}.50`), merchant: 'm' }] as const);
    const state = { ...initialState('acc-4'), orders: withEntries(emptySharded<OrderRecord>(), entries) };
    const json = JSON.parse(serializeState(state));
    const slots: (object | null)[] = json.orders;
    json.orders = Object.fromEntries(slots.flatMap((shard, i) => (shard ? [[`s${i}`, shard]] : [])));
    json.draws = {};
    delete json.unbilledDrawIds;
    const back = deserializeState(JSON.stringify(json));
    expect(serializeState(back)).toBe(serializeState(state));
    for (const [id, order] of entries) expect(getEntry(back.orders, id)?.amount.toString()).toBe(order.amount.toString());
    expect(sizeOf(back.orders)).toBe(200);
    expect(() => deserializeState(JSON.stringify({ ...json, orders: { s64: {} } }))).toThrow(/not a shard/);
  });

  it('writes exactly the JSON.stringify text of the state with every Money replaced by its tag', () => {
    // The reference: copy the tree with Money tagged, then let the engine write it.
    const tagged = (value: unknown): unknown => {
      if (value instanceof Money) return { $money: value.toExactString() };
      if (Array.isArray(value)) return value.map(tagged);
      if (value === null || typeof value !== 'object' || value instanceof Date) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagged(v)]));
    };
    const money = fc.oneof(fc.bigInt(-(10n ** 12n), 10n ** 12n).map((fen) => Money.fromFen(fen)), fc.constant(Money.exact('0.000123456789')));
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(Symbol('s')),
      fc.constant(() => 1),
      fc.date({ noInvalidDate: true }),
      money,
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(fc.string(), tree), (state) => {
        const text = serializeState(state as never);
        expect(text).toBe(JSON.stringify(tagged(state)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a bigint, as JSON.stringify does, rather than write something that would not come back', () => {
    expect(() => serializeState({ ...initialState('acc-4'), payScore: 10n } as never)).toThrow('bigint');
  });
});
