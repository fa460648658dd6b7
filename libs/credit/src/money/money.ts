import Decimal from 'decimal.js';

/**
 * Our own Decimal constructor: 50 significant digits, so exact daily accruals (principal x a rate with
 * up to 6 decimals, summed over a month) never lose a digit, and nothing depends on decimal.js's global
 * configuration, which other code in the process might change.
 */
export const Dec = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Dec = InstanceType<typeof Dec>;

const FEN_PATTERN = /^-?\d{1,15}(\.\d{1,2})?$/;
const DECIMAL_PATTERN = /^-?\d{1,20}(\.\d{1,30})?$/;

export class MoneyFormatError extends Error {
  constructor(readonly input: string) {
    super(`not an amount with at most 2 decimals: ${JSON.stringify(input)}`);
    this.name = 'MoneyFormatError';
  }
}

/**
 * An amount of CNY. Posted amounts have at most 2 decimals (fen); exact intermediate amounts (a day's
 * interest) may have more and are only ever rounded through a named rounding.
 */
export class Money {
  private constructor(readonly value: Dec) {}

  static readonly ZERO = new Money(new Dec(0));

  /** Parses a posted amount: a decimal string with at most 2 decimals. */
  static of(amount: string): Money {
    if (typeof amount !== 'string' || !FEN_PATTERN.test(amount)) throw new MoneyFormatError(String(amount));
    return new Money(new Dec(amount));
  }

  /** Parses an exact amount that may carry more than 2 decimals (accruals, residuals). */
  static exact(amount: string | Dec): Money {
    if (typeof amount === 'string') {
      if (!DECIMAL_PATTERN.test(amount)) throw new MoneyFormatError(amount);
      return new Money(new Dec(amount));
    }
    return new Money(new Dec(amount));
  }

  /** Whole yuan, for limits and thresholds written as integers in the terms. */
  static yuan(amount: number): Money {
    if (!Number.isSafeInteger(amount)) throw new MoneyFormatError(String(amount));
    return new Money(new Dec(amount));
  }

  /** Integer fen (minor units) to Money. */
  static fromFen(fen: bigint): Money {
    return new Money(new Dec(fen.toString()).div(100));
  }

  static sum(amounts: Iterable<Money>): Money {
    let total: Money = Money.ZERO;
    for (const a of amounts) total = total.plus(a);
    return total;
  }

  static min(a: Money, b: Money): Money {
    return a.lessThanOrEqual(b) ? a : b;
  }

  static max(a: Money, b: Money): Money {
    return a.greaterThanOrEqual(b) ? a : b;
  }

  // Most amounts an account adds up are zero (the settled buckets of a statement, a plan's paid
  // periods), and decimal.js copies both operands on every operation: adding zero returns the other
  // operand as it is, which is exact and saves most of the arithmetic in folding an account.
  plus(other: Money): Money {
    if (other.value.isZero()) return this;
    if (this.value.isZero()) return other;
    return new Money(this.value.plus(other.value));
  }

  minus(other: Money): Money {
    if (other.value.isZero()) return this;
    return new Money(this.value.minus(other.value));
  }

  /** Multiplies by a rate or factor given as a decimal string ("0.0005") or Dec. Exact. */
  times(factor: string | Dec): Money {
    return new Money(this.value.times(factor));
  }

  /** Divides exactly (to 50 significant digits); round the result with a named rounding. */
  dividedBy(divisor: string | number | Dec): Money {
    return new Money(this.value.div(divisor));
  }

  negated(): Money {
    return new Money(this.value.negated());
  }

  roundHalfUpToFen(): Money {
    return new Money(this.value.toDecimalPlaces(2, Dec.ROUND_HALF_UP));
  }

  /** Rounds towards +infinity to the fen (a minimum repayment never falls short). */
  ceilToFen(): Money {
    return new Money(this.value.toDecimalPlaces(2, Dec.ROUND_CEIL));
  }

  /** Rounds towards -infinity to the fen (installment principal per period). */
  floorToFen(): Money {
    return new Money(this.value.toDecimalPlaces(2, Dec.ROUND_FLOOR));
  }

  /** Rounds down to a multiple of `step` yuan (limits move in steps of 100). */
  floorToMultipleOf(step: number): Money {
    return new Money(this.value.div(step).floor().times(step));
  }

  ceilToMultipleOf(step: number): Money {
    return new Money(this.value.div(step).ceil().times(step));
  }

  isZero(): boolean {
    return this.value.isZero();
  }

  isPositive(): boolean {
    return this.value.greaterThan(0);
  }

  isNegative(): boolean {
    return this.value.lessThan(0);
  }

  /** True when the amount has at most 2 decimals. */
  isWholeFen(): boolean {
    return this.value.decimalPlaces() <= 2;
  }

  equals(other: Money): boolean {
    return this.value.equals(other.value);
  }

  lessThan(other: Money): boolean {
    return this.value.lessThan(other.value);
  }

  lessThanOrEqual(other: Money): boolean {
    return this.value.lessThanOrEqualTo(other.value);
  }

  greaterThan(other: Money): boolean {
    return this.value.greaterThan(other.value);
  }

  greaterThanOrEqual(other: Money): boolean {
    return this.value.greaterThanOrEqualTo(other.value);
  }

  /** Integer fen; throws when the amount is not whole fen. */
  toFen(): bigint {
    if (!this.isWholeFen()) throw new Error(`${this.value.toString()} is not a whole number of fen`);
    return BigInt(this.value.times(100).toFixed(0));
  }

  /** Wire form of a posted amount: always 2 decimals ("15.00"). Throws on sub-fen amounts. */
  toString(): string {
    if (!this.isWholeFen()) throw new Error(`${this.value.toString()} is not a whole number of fen`);
    return this.value.toFixed(2);
  }

  /** Wire form of an exact amount: every significant decimal, never exponent notation. */
  toExactString(): string {
    return this.value.toFixed();
  }

  toJSON(): string {
    return this.isWholeFen() ? this.toString() : this.toExactString();
  }
}

/** A rate given as a decimal string ("0.0005" is 0.05% a day). */
export function rate(value: string): Dec {
  if (!DECIMAL_PATTERN.test(value)) throw new MoneyFormatError(value);
  return new Dec(value);
}

/** A rate as a percentage string with the given decimals: 0.0005 -> "0.05%". */
export function formatPercent(value: Dec, decimals: number): string {
  return `${value.times(100).toFixed(decimals)}%`;
}
