/**
 * Display formatting. Amounts arrive from the API as decimal strings and are shown digit for digit:
 * formatting only inserts thousands separators, so what the page shows is exactly what the API said.
 * Ratios are computed with decimal.js, never with JavaScript floats. Charts need numbers, so
 * `chartNumber` is the one place a string becomes a float, for drawing only.
 */
import Decimal from 'decimal.js';

/** Thousands separators in a string of digits: '1234567' -> '1,234,567'. */
function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** '1234567.8' -> '¥1,234,567.8'; '-5.00' -> '-¥5.00'. */
export function formatMoney(amount: string): string {
  const negative = amount.startsWith('-');
  const [whole, fraction] = (negative ? amount.slice(1) : amount).split('.');
  return `${negative ? '-' : ''}¥${groupDigits(whole)}${fraction !== undefined ? `.${fraction}` : ''}`;
}

export function formatCount(count: number): string {
  return groupDigits(String(count));
}

/** part / whole as a percentage with the given decimals; '—' when the whole is zero. */
export function percentOf(part: string | number, whole: string | number, decimals = 1): string {
  const denominator = new Decimal(whole);
  if (denominator.isZero()) return '—';
  return `${new Decimal(part).div(denominator).times(100).toFixed(decimals)}%`;
}

/** A decimal fraction ('0.0005') as a percentage ('0.05%'). */
export function formatRate(rate: string, decimals = 4): string {
  return `${new Decimal(rate).times(100).toDecimalPlaces(decimals).toString()}%`;
}

export function sum(amounts: string[]): string {
  return amounts.reduce((total, a) => total.plus(a), new Decimal(0)).toFixed(2);
}

export function difference(amount: string, less: string): string {
  return new Decimal(amount).minus(less).toFixed(2);
}

/** For chart coordinates only: never used for a figure shown as text. */
export function chartNumber(amount: string): number {
  return new Decimal(amount).toDecimalPlaces(2).toNumber();
}

/** Calendar arithmetic on ISO dates (YYYY-MM-DD) in UTC, so the browser's time zone never shifts a day. */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** Whole calendar days from one ISO date to another; negative when `to` is the earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
