import fc from 'fast-check';
import { Dec, Money } from './money';

/**
 * Money keeps whole-fen amounts as integer fen and everything else as a Dec. Whichever way an amount is
 * held, every operation must give exactly what decimal.js gives on the same decimals: these properties
 * hold Money against a plain Dec model, with amounts around the edge of the integer range (2^53 fen)
 * and amounts with many decimals.
 */
const LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

const wholeFen = fc.oneof(
  fc.bigInt(-100_000_000n, 100_000_000n),
  fc.bigInt(LIMIT - 1_000n, LIMIT + 1_000n),
  fc.bigInt(-LIMIT - 1_000n, -LIMIT + 1_000n),
  fc.bigInt(-(10n ** 17n), 10n ** 17n),
);

/** A decimal string: whole fen (0 to 2 decimals written) or exact with up to 12 decimals. */
const amountText = fc.oneof(
  wholeFen.chain((fen) => fc.constantFrom(0, 1, 2).map((written) => fenText(fen, written))),
  fc.tuple(fc.bigInt(-(10n ** 20n), 10n ** 20n), fc.integer({ min: 3, max: 12 })).map(([units, decimals]) => new Dec(units.toString()).div(new Dec(10).pow(decimals)).toFixed()),
);

/** `fen` written with `decimals` places where that is exact ("15", "15.5", "15.50"), else with 2. */
function fenText(fen: bigint, decimals: number): string {
  const text = new Dec(fen.toString()).div(100).toFixed(2);
  if (decimals === 2) return text;
  const trimmed = new Dec(text).toFixed(decimals, Dec.ROUND_DOWN);
  return new Dec(trimmed).equals(new Dec(text)) ? trimmed : text;
}

/** Dec's plain form, without the sign decimal.js keeps on a negative zero. */
const plain = (d: Dec) => (d.isZero() ? '0' : d.toFixed());

describe('Money held as integer fen', () => {
  it('adds, subtracts and negates exactly as decimal.js does', () => {
    fc.assert(
      fc.property(amountText, amountText, (a, b) => {
        const x = Money.exact(a);
        const y = Money.exact(b);
        expect(x.plus(y).toExactString()).toBe(plain(new Dec(a).plus(b)));
        expect(x.minus(y).toExactString()).toBe(plain(new Dec(a).minus(b)));
        expect(x.negated().toExactString()).toBe(plain(new Dec(a).negated()));
        expect(Money.sum([x, y, x]).toExactString()).toBe(plain(new Dec(a).plus(b).plus(a)));
      }),
      { numRuns: 2000 },
    );
  });

  it('sums any list exactly as decimal.js does, also where a partial sum leaves the integer range', () => {
    fc.assert(
      fc.property(fc.array(amountText, { maxLength: 6 }), (texts) => {
        const expected = texts.reduce((total, t) => total.plus(t), new Dec(0));
        const sum = Money.sum(texts.map((t) => Money.exact(t)));
        expect(sum.toExactString()).toBe(plain(expected));
        // A zero is always Money.ZERO, as from every other operation.
        if (expected.isZero()) expect(sum).toBe(Money.ZERO);
      }),
      { numRuns: 2000 },
    );
    // The largest whole-fen amounts: their float sum leaves the integer range and comes back inexact.
    const max = Money.fromFen(BigInt(Number.MAX_SAFE_INTEGER));
    const sum = Money.sum([max, max, Money.exact('-0.01'), max.negated()]);
    expect(sum.toExactString()).toBe(new Dec(Number.MAX_SAFE_INTEGER.toString()).minus(1).div(100).toFixed());
  });

  it('compares exactly as decimal.js does', () => {
    fc.assert(
      fc.property(amountText, amountText, (a, b) => {
        const x = Money.exact(a);
        const y = Money.exact(b);
        const expected = new Dec(a).comparedTo(b);
        expect([x.lessThan(y), x.equals(y), x.greaterThan(y)]).toEqual([expected < 0, expected === 0, expected > 0]);
        expect([x.lessThanOrEqual(y), x.greaterThanOrEqual(y)]).toEqual([expected <= 0, expected >= 0]);
        expect([x.isZero(), x.isPositive(), x.isNegative()]).toEqual([new Dec(a).isZero(), new Dec(a).greaterThan(0), new Dec(a).lessThan(0)]);
        expect(Money.min(x, y).toExactString()).toBe(plain(Dec.min(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds down and up to a multiple of whole yuan exactly as decimal.js does, at the edge of the integer range too', () => {
    fc.assert(
      fc.property(amountText, fc.constantFrom(1, 3, 100, 500, 10_000, 2 ** 40), (a, step) => {
        const x = Money.exact(a);
        expect(x.floorToMultipleOf(step).toExactString()).toBe(plain(new Dec(a).div(step).floor().times(step)));
        expect(x.ceilToMultipleOf(step).toExactString()).toBe(plain(new Dec(a).div(step).ceil().times(step)));
      }),
      { numRuns: 3000 },
    );
  });

  it('multiplies by whole factors and by rates, and rounds, exactly as decimal.js does', () => {
    fc.assert(
      fc.property(amountText, fc.integer({ min: -400, max: 400 }), fc.constantFrom('0.0005', '0.00075', '1.5', '0.0035', '-2'), (a, days, r) => {
        const x = Money.exact(a);
        expect(x.times(new Dec(days)).toExactString()).toBe(plain(new Dec(a).times(days)));
        expect(x.times(r).toExactString()).toBe(plain(new Dec(a).times(r)));
        expect(x.roundHalfUpToFen().toExactString()).toBe(plain(new Dec(a).toDecimalPlaces(2, Dec.ROUND_HALF_UP)));
        expect(x.ceilToFen().toExactString()).toBe(plain(new Dec(a).toDecimalPlaces(2, Dec.ROUND_CEIL)));
        expect(x.floorToFen().toExactString()).toBe(plain(new Dec(a).toDecimalPlaces(2, Dec.ROUND_FLOOR)));
      }),
      { numRuns: 2000 },
    );
  });

  it('sums amount x factor x count exactly as decimal.js does, whole fen or not, whatever the factors\' scales', () => {
    // decimal.js (precision 50) rounds each product and partial sum past 50 significant digits, where
    // sumOfProducts, exact until its last step, keeps one more: sums beyond 10^26 yuan with sub-fen
    // decimals (seed 310070836 found one). Compared where decimal.js is exact, which is every sum a
    // ledger can hold.
    const Exact = Dec.clone({ precision: 1000 });
    const exactInDec = (terms: { amount: string; factor: string; count: number }[]) => {
      let sum = new Exact(0);
      for (const t of terms) {
        const product = new Exact(t.amount).times(new Exact(t.factor)).times(t.count);
        sum = sum.plus(product);
        if (product.sd() > 50 || sum.sd() > 50) return false;
      }
      return true;
    };
    const factor = fc.oneof(
      fc.constantFrom('0.0005', '0.00075', '0.000375', '0.00045', '1.50', '-2', '0', '0.10', '7'),
      fc.tuple(fc.bigInt(-(10n ** 12n), 10n ** 12n), fc.integer({ min: 0, max: 14 })).map(([units, decimals]) => new Dec(units.toString()).div(new Dec(10).pow(decimals)).toFixed(decimals)),
      fc.constantFrom('1e-3', '.5', '2.5e1'),
    );
    const term = fc.record({ amount: amountText, factor, count: fc.integer({ min: 0, max: 400 }) });
    fc.assert(
      fc.property(fc.array(term, { maxLength: 6 }), (terms) => {
        fc.pre(exactInDec(terms));
        const expected = terms.reduce((sum, t) => sum.plus(new Dec(t.amount).times(new Dec(t.factor)).times(t.count)), new Dec(0));
        const got = Money.sumOfProducts(terms.map((t) => ({ amount: Money.exact(t.amount), factor: t.factor, count: t.count })));
        expect(got.toExactString()).toBe(plain(expected));
        // And the same Money as decimal.js's result makes: held as fen when it is whole fen.
        expect(got).toEqual(Money.exact(expected));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a factor that is not a number in a sum of products, as times does, even for a zero amount', () => {
    for (const factor of ['', 'oops', '1..2']) {
      expect(() => Money.ZERO.times(factor)).toThrow();
      expect(() => Money.sumOfProducts([{ amount: Money.ZERO, factor, count: 3 }])).toThrow();
      expect(() => Money.sumOfProducts([{ amount: Money.of('1.00'), factor, count: 3 }])).toThrow();
    }
  });

  it('writes whole fen with 2 decimals and converts to and from integer fen', () => {
    fc.assert(
      fc.property(wholeFen, (fen) => {
        const fromText = Money.exact(new Dec(fen.toString()).div(100).toFixed());
        const fromFen = Money.fromFen(fen);
        const expected = new Dec(fen.toString()).div(100);
        for (const m of [fromText, fromFen]) {
          expect(m.isWholeFen()).toBe(true);
          expect(m.toString()).toBe(expected.isZero() ? '0.00' : expected.toFixed(2));
          expect(m.toJSON()).toBe(m.toString());
          expect(m.toFen()).toBe(fen);
          expect(m.value.equals(expected)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parses posted amounts written with 0, 1 or 2 decimals to the same amount', () => {
    fc.assert(
      fc.property(fc.bigInt(-(10n ** 15n), 10n ** 15n), (fen) => {
        const texts = [0, 1, 2].map((d) => fenText(fen, d)).filter((t) => /^-?\d{1,15}(\.\d{1,2})?$/.test(t));
        for (const t of texts) expect(Money.of(t).toFen()).toBe(fen);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps sub-fen amounts exact and refuses to write them as posted amounts', () => {
    const third = Money.exact('0.005').plus(Money.exact('0.001'));
    expect(third.isWholeFen()).toBe(false);
    expect(third.toExactString()).toBe('0.006');
    expect(() => third.toString()).toThrow('not a whole number of fen');
    expect(third.plus(Money.exact('0.004')).toString()).toBe('0.01');
  });
});

describe('Money as a value', () => {
  it('is deeply equal to the same amount however it was made or used', () => {
    const a = Money.of('1.50');
    const b = Money.exact('1.5');
    void a.value; // builds and keeps a Dec inside a, not inside b
    expect(a).toStrictEqual(b);
    expect(a).not.toStrictEqual(Money.of('1.51'));
  });
});
