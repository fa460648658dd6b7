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

/** A factor written as a plain decimal ("0.0005", "-2", "1.50"): an integer over a power of ten. */
interface ScaledFactor {
  /** `units` as a number, which is exact: a factor of more digits than a safe integer holds is not parsed. */
  units: number;
  bigUnits: bigint;
  scale: number;
}

const FACTOR_PATTERN = /^-?\d{1,15}(\.\d{1,15})?$/;
/** Parsed factors by their text: the daily rates of a few terms versions, so the cache stays small. */
const scaledFactors = new Map<string, ScaledFactor | null>();

function scaledFactor(factor: string): ScaledFactor | null {
  let parsed = scaledFactors.get(factor);
  if (parsed !== undefined) return parsed;
  parsed = null;
  if (typeof factor === 'string' && FACTOR_PATTERN.test(factor)) {
    const dot = factor.indexOf('.');
    const digits = dot < 0 ? factor : factor.slice(0, dot) + factor.slice(dot + 1);
    const units = Number(digits);
    if (Number.isSafeInteger(units)) parsed = { units, bigUnits: BigInt(digits), scale: dot < 0 ? 0 : factor.length - dot - 1 };
  }
  // Any text could come in; only a bounded number is kept.
  if (scaledFactors.size < 1024) scaledFactors.set(factor, parsed);
  return parsed;
}

const powersOfTen: Dec[] = [];
function powerOfTen(exponent: number): Dec {
  return (powersOfTen[exponent] ??= new Dec(10).pow(exponent));
}

/**
 * An amount of CNY. Posted amounts have at most 2 decimals (fen); exact intermediate amounts (a day's
 * interest) may have more and are only ever rounded through a named rounding.
 *
 * Whole-fen amounts, which are nearly all of them, are held as an integer number of fen, and adding,
 * subtracting and comparing them is integer arithmetic; decimal.js cost more than all the rest of
 * folding an account. The integer is a safe integer (|fen| <= 2^53 - 1), where every integer is exact
 * and a sum or difference is exact exactly when it is itself a safe integer: any result outside that
 * range, and every amount with more than 2 decimals, is computed and held as a Dec instead. Money
 * therefore never passes through a rounded float.
 */
export class Money {
  /** Integer fen, or NaN when the amount is held only as `exact`. */
  private readonly fen: number;
  /** The amount when it is not whole fen within range; undefined otherwise. */
  private readonly exact: Dec | undefined;
  /** A whole-fen amount as a Dec, built on first use (private, so it takes no part in deep equality). */
  #decimal: Dec | undefined;

  private constructor(fen: number, exact: Dec | undefined) {
    this.fen = fen;
    this.exact = exact;
  }

  static readonly ZERO = new Money(0, undefined);

  /** The amount as a Dec (built on first use for whole-fen amounts). */
  get value(): Dec {
    if (this.exact !== undefined) return this.exact;
    this.#decimal ??= new Dec(this.fen).div(100);
    return this.#decimal;
  }

  private static ofFen(fen: number): Money {
    // `fen === 0` holds for -0 too: a zero is always Money.ZERO, never a negative zero.
    return fen === 0 ? Money.ZERO : new Money(fen, undefined);
  }

  /** A Dec result, held as integer fen when it is whole fen within range. */
  private static ofDec(value: Dec): Money {
    if (value.decimalPlaces() <= 2) {
      const fen = value.times(100).toNumber();
      if (Number.isSafeInteger(fen)) return Money.ofFen(fen);
    }
    return new Money(Number.NaN, value);
  }

  /** Parses a decimal string of digits with an optional fraction; integer fen when it has at most 2 decimals and fits. */
  private static parse(amount: string): Money {
    const dot = amount.indexOf('.');
    const decimals = dot < 0 ? 0 : amount.length - dot - 1;
    if (decimals <= 2 && amount.length <= 17) {
      const digits = dot < 0 ? amount : amount.slice(0, dot) + amount.slice(dot + 1);
      const fen = Number.parseInt(digits, 10) * (decimals === 0 ? 100 : decimals === 1 ? 10 : 1);
      if (Number.isSafeInteger(fen)) return Money.ofFen(fen);
    }
    return Money.ofDec(new Dec(amount));
  }

  /** Parses a posted amount: a decimal string with at most 2 decimals. */
  static of(amount: string): Money {
    if (typeof amount !== 'string' || !FEN_PATTERN.test(amount)) throw new MoneyFormatError(String(amount));
    return Money.parse(amount);
  }

  /** Parses an exact amount that may carry more than 2 decimals (accruals, residuals). */
  static exact(amount: string | Dec): Money {
    if (typeof amount === 'string') {
      if (!DECIMAL_PATTERN.test(amount)) throw new MoneyFormatError(amount);
      return Money.parse(amount);
    }
    return Money.ofDec(new Dec(amount));
  }

  /** Whole yuan, for limits and thresholds written as integers in the terms. */
  static yuan(amount: number): Money {
    if (!Number.isSafeInteger(amount)) throw new MoneyFormatError(String(amount));
    const fen = amount * 100;
    return Number.isSafeInteger(fen) ? Money.ofFen(fen) : Money.ofDec(new Dec(amount));
  }

  /** Integer fen (minor units) to Money. */
  static fromFen(fen: bigint): Money {
    const n = Number(fen);
    return Number.isSafeInteger(n) && BigInt(n) === fen ? Money.ofFen(n) : Money.ofDec(new Dec(fen.toString()).div(100));
  }

  /**
   * Exactly the sum of amount x factor x count over the terms: a month's interest over its balance
   * segments (principal x daily rate x days). Whole-fen amounts and plain decimal factors ("0.0005") are
   * multiplied as integers, over the largest scale among the factors, and make one Money at the end;
   * any other term is multiplied with decimal.js, which also refuses a factor that is not a number, as
   * `times` does, even for a zero amount. The result is exact: what decimal.js gives wherever its 50
   * significant digits hold every step (products near 10^47 would need more).
   */
  static sumOfProducts(terms: Iterable<{ amount: Money; factor: string; count: number }>): Money {
    // Held as a safe integer while it fits, in units of 10^-scale fen; as a bigint once it does not.
    let scaled = 0;
    let big: bigint | null = null;
    let scale = 0;
    let rest = Money.ZERO;
    for (const { amount, factor, count } of terms) {
      const f = Number.isNaN(amount.fen) || !Number.isSafeInteger(count) ? null : scaledFactor(factor);
      if (f === null) {
        rest = rest.plus(amount.times(factor).times(new Dec(count)));
        continue;
      }
      if (amount.fen === 0 || count === 0) continue;
      if (f.scale > scale) {
        const up = 10 ** (f.scale - scale);
        if (big === null && Number.isSafeInteger(scaled * up)) scaled *= up;
        else big = (big ?? BigInt(scaled)) * BigInt(up);
        scale = f.scale;
      }
      const product = amount.fen * f.units * count * 10 ** (scale - f.scale);
      if (big === null && Number.isSafeInteger(product) && Number.isSafeInteger(scaled + product)) scaled += product;
      else big = (big ?? BigInt(scaled)) + BigInt(amount.fen) * f.bigUnits * BigInt(count) * 10n ** BigInt(scale - f.scale);
    }
    return Money.ofScaled(big ?? scaled, scale).plus(rest);
  }

  /** `scaled` x 10^-scale fen. */
  private static ofScaled(scaled: number | bigint, scale: number): Money {
    if (typeof scaled === 'number') {
      const unit = 10 ** scale;
      if (scaled % unit === 0) return Money.ofFen(scaled / unit);
      return new Money(Number.NaN, new Dec(scaled).div(powerOfTen(scale + 2)));
    }
    const unit = 10n ** BigInt(scale);
    if (scaled % unit === 0n) return Money.fromFen(scaled / unit);
    return Money.ofDec(new Dec(scaled.toString()).div(powerOfTen(scale + 2)));
  }

  static sum(amounts: Iterable<Money>): Money {
    // Whole fen throughout: one Money for the sum, not one per step (a plan's unbilled principal is
    // summed for every view of an account with installments).
    if (Array.isArray(amounts)) {
      let fen = 0;
      for (let i = 0; i < amounts.length && Number.isSafeInteger(fen); i++) fen += (amounts[i] as Money).fen;
      if (Number.isSafeInteger(fen)) return Money.ofFen(fen);
    }
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

  // Adding zero returns the other operand as it is: most amounts an account adds up are zero (the
  // settled buckets of a statement, a plan's paid periods).
  plus(other: Money): Money {
    if (other.isZero()) return this;
    if (this.isZero()) return other;
    if (this.bothFen(other)) {
      const fen = this.fen + other.fen;
      if (Number.isSafeInteger(fen)) return Money.ofFen(fen);
    }
    return Money.ofDec(this.value.plus(other.value));
  }

  minus(other: Money): Money {
    if (other.isZero()) return this;
    if (this.bothFen(other)) {
      const fen = this.fen - other.fen;
      if (Number.isSafeInteger(fen)) return Money.ofFen(fen);
    }
    return Money.ofDec(this.value.minus(other.value));
  }

  /** Multiplies by a rate or factor given as a decimal string ("0.0005") or Dec. Exact. */
  times(factor: string | Dec): Money {
    if (typeof factor !== 'string' && !Number.isNaN(this.fen) && factor.isInteger()) {
      // A whole number of days or periods: integer arithmetic while the product stays in range.
      const fen = this.fen * factor.toNumber();
      if (Number.isSafeInteger(fen)) return Money.ofFen(fen);
    }
    return Money.ofDec(this.value.times(factor));
  }

  /** Divides exactly (to 50 significant digits); round the result with a named rounding. */
  dividedBy(divisor: string | number | Dec): Money {
    return Money.ofDec(this.value.div(divisor));
  }

  negated(): Money {
    return !Number.isNaN(this.fen) ? Money.ofFen(-this.fen) : Money.ofDec(this.value.negated());
  }

  roundHalfUpToFen(): Money {
    return !Number.isNaN(this.fen) ? this : Money.ofDec(this.value.toDecimalPlaces(2, Dec.ROUND_HALF_UP));
  }

  /** Rounds towards +infinity to the fen (a minimum repayment never falls short). */
  ceilToFen(): Money {
    return !Number.isNaN(this.fen) ? this : Money.ofDec(this.value.toDecimalPlaces(2, Dec.ROUND_CEIL));
  }

  /** Rounds towards -infinity to the fen (installment principal per period). */
  floorToFen(): Money {
    return !Number.isNaN(this.fen) ? this : Money.ofDec(this.value.toDecimalPlaces(2, Dec.ROUND_FLOOR));
  }

  /** Rounds down to a multiple of `step` yuan (limits move in steps of 100). */
  /** Down to a multiple of `step` (whole yuan, as the terms write limits): integer fen where it can be. */
  floorToMultipleOf(step: number): Money {
    const fen = this.multipleOfStepFen(step, 'floor');
    return fen !== undefined ? Money.ofFen(fen) : Money.ofDec(this.value.div(step).floor().times(step));
  }

  /** Up to a multiple of `step` (whole yuan): integer fen where it can be. */
  ceilToMultipleOf(step: number): Money {
    const fen = this.multipleOfStepFen(step, 'ceil');
    return fen !== undefined ? Money.ofFen(fen) : Money.ofDec(this.value.div(step).ceil().times(step));
  }

  /**
   * The multiple of a whole-yuan `step` below or above a whole-fen amount, in fen, by the remainder (exact
   * on safe integers, unlike a floating quotient); undefined where Dec must do it (a fraction of a fen, a
   * step that is not a whole number of yuan, a result out of the integer range).
   */
  private multipleOfStepFen(step: number, direction: 'floor' | 'ceil'): number | undefined {
    if (Number.isNaN(this.fen) || !Number.isSafeInteger(step) || step <= 0) return undefined;
    const stepFen = step * 100;
    if (!Number.isSafeInteger(stepFen)) return undefined;
    // The remainder in [0, stepFen), whatever the sign: the amount less it is the multiple below.
    const below = this.fen - (((this.fen % stepFen) + stepFen) % stepFen);
    const result = direction === 'floor' || below === this.fen ? below : below + stepFen;
    return Number.isSafeInteger(result) ? result : undefined;
  }

  isZero(): boolean {
    return this.fen === 0 || (Number.isNaN(this.fen) && this.value.isZero());
  }

  isPositive(): boolean {
    return !Number.isNaN(this.fen) ? this.fen > 0 : this.value.greaterThan(0);
  }

  isNegative(): boolean {
    return !Number.isNaN(this.fen) ? this.fen < 0 : this.value.lessThan(0);
  }

  /** True when the amount has at most 2 decimals. */
  isWholeFen(): boolean {
    return !Number.isNaN(this.fen) || this.value.decimalPlaces() <= 2;
  }

  private bothFen(other: Money): boolean {
    return !Number.isNaN(this.fen) && !Number.isNaN(other.fen);
  }

  /** Compares with another amount: negative, zero or positive. */
  private compare(other: Money): number {
    if (this.bothFen(other)) return this.fen - other.fen;
    return this.value.comparedTo(other.value);
  }

  equals(other: Money): boolean {
    return this.compare(other) === 0;
  }

  lessThan(other: Money): boolean {
    return this.compare(other) < 0;
  }

  lessThanOrEqual(other: Money): boolean {
    return this.compare(other) <= 0;
  }

  greaterThan(other: Money): boolean {
    return this.compare(other) > 0;
  }

  greaterThanOrEqual(other: Money): boolean {
    return this.compare(other) >= 0;
  }

  /** Integer fen; throws when the amount is not whole fen. */
  toFen(): bigint {
    if (!Number.isNaN(this.fen)) return BigInt(this.fen);
    if (!this.isWholeFen()) throw new Error(`${this.value.toString()} is not a whole number of fen`);
    return BigInt(this.value.times(100).toFixed(0));
  }

  /** Wire form of a posted amount: always 2 decimals ("15.00"). Throws on sub-fen amounts. */
  toString(): string {
    if (!Number.isNaN(this.fen)) return formatFen(this.fen, true);
    if (!this.isWholeFen()) throw new Error(`${this.value.toString()} is not a whole number of fen`);
    return this.value.toFixed(2);
  }

  /** Wire form of an exact amount: every significant decimal, never exponent notation. */
  toExactString(): string {
    return !Number.isNaN(this.fen) ? formatFen(this.fen, false) : this.value.toFixed();
  }

  toJSON(): string {
    return this.isWholeFen() ? this.toString() : this.toExactString();
  }
}

/** Integer fen as yuan: "15.00" with `fixed`, else without trailing zeros ("15", "15.5"), as Dec's toFixed would. */
function formatFen(fen: number, fixed: boolean): string {
  const abs = Math.abs(fen);
  const cents = abs % 100;
  const yuan = (abs - cents) / 100;
  const sign = fen < 0 ? '-' : '';
  if (fixed) return `${sign}${yuan}.${cents < 10 ? '0' : ''}${cents}`;
  if (cents === 0) return `${sign}${yuan}`;
  return `${sign}${yuan}.${cents % 10 === 0 ? cents / 10 : cents < 10 ? `0${cents}` : cents}`;
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
