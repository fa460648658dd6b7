/**
 * Daily interest as a pure function of the balance timeline (PRODUCT.md §4). The timeline is a list of
 * constant-balance segments: from `from` onwards, until the next segment, the end-of-day interest-bearing
 * principal is `normal` (at `dailyRate`) and `penalty` (at `penaltyDailyRate`). A day's interest is
 * principal x rate, kept exact; a statement rounds the month's sum once. Billing and the accrual read
 * model both call `accrueDays`, so they agree to the digit by construction.
 */
import { Dec, Money } from '../money/money';
import { dayNumber, fromDayNumber, type IsoDate } from '../time/local-date';

export interface AccrualSegment {
  from: IsoDate;
  normal: Money;
  penalty: Money;
  dailyRate: string;
  penaltyDailyRate: string;
}

export interface AccrualDay {
  date: IsoDate;
  normalPrincipal: Money;
  dailyRate: string;
  interest: Money;
  penaltyPrincipal: Money;
  penaltyDailyRate: string;
  penaltyInterest: Money;
}

export interface AccrualTotals {
  interest: Money;
  penaltyInterest: Money;
  days: number;
}

/** Penalty rate = the daily rate x the multiplier, capped (PRODUCT.md §4). */
export function penaltyDailyRate(dailyRate: string, multiplier: string, cap: string): string {
  const raised = new Dec(dailyRate).times(multiplier);
  return Dec.min(raised, new Dec(cap)).toFixed();
}

/**
 * Records the balance in force from `from` onwards. Segments are appended in date order; a change on the
 * same date as the last segment replaces it, because only the end-of-day balance counts.
 */
export function withSegment(segments: AccrualSegment[], next: AccrualSegment): AccrualSegment[] {
  const last = segments[segments.length - 1];
  if (last && sameBalance(last, next)) return segments;
  if (last && last.from === next.from) {
    const trimmed = segments.slice(0, -1);
    const previous = trimmed[trimmed.length - 1];
    return previous && sameBalance(previous, next) ? trimmed : [...trimmed, next];
  }
  if (last && next.from < last.from) throw new Error(`accrual segment at ${next.from} is before ${last.from}`);
  return [...segments, next];
}

function sameBalance(a: AccrualSegment, b: AccrualSegment): boolean {
  return (
    a.normal.equals(b.normal) &&
    a.penalty.equals(b.penalty) &&
    a.dailyRate === b.dailyRate &&
    a.penaltyDailyRate === b.penaltyDailyRate
  );
}

/** Drops what lies before `from`, keeping the segment in force on `from` (restarted at `from`). */
export function segmentsFrom(segments: AccrualSegment[], from: IsoDate): AccrualSegment[] {
  const kept: AccrualSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const next = segments[i + 1];
    if (next && next.from <= from) continue;
    kept.push(segments[i].from < from ? { ...segments[i], from } : segments[i]);
  }
  return kept;
}

/** Exact interest and penalty interest over the days `from`..`to` inclusive. */
export function accrueDays(segments: AccrualSegment[], from: IsoDate, to: IsoDate): AccrualTotals {
  const normal: { amount: Money; factor: string; count: number }[] = [];
  const penalty: { amount: Money; factor: string; count: number }[] = [];
  const first = dayNumber(from);
  const last = dayNumber(to);
  for (let i = 0; i < segments.length; i++) {
    const start = Math.max(first, dayNumber(segments[i].from));
    const end = Math.min(last, i + 1 < segments.length ? dayNumber(segments[i + 1].from) - 1 : last);
    if (end < start) continue;
    const days = end - start + 1;
    normal.push({ amount: segments[i].normal, factor: segments[i].dailyRate, count: days });
    penalty.push({ amount: segments[i].penalty, factor: segments[i].penaltyDailyRate, count: days });
  }
  // Principal x daily rate x days, summed exactly (in integers while the amounts are whole fen).
  return { interest: Money.sumOfProducts(normal), penaltyInterest: Money.sumOfProducts(penalty), days: Math.max(0, last - first + 1) };
}

/** The same accrual expanded to one row per day, for statements' explanations and the accrual read model. */
export function accrualRows(segments: AccrualSegment[], from: IsoDate, to: IsoDate): AccrualDay[] {
  const rows: AccrualDay[] = [];
  const last = dayNumber(to);
  let index = -1;
  for (let day = dayNumber(from); day <= last; day++) {
    while (index + 1 < segments.length && dayNumber(segments[index + 1].from) <= day) index++;
    const date = fromDayNumber(day);
    if (index < 0) {
      rows.push({ date, normalPrincipal: Money.ZERO, dailyRate: '0', interest: Money.ZERO, penaltyPrincipal: Money.ZERO, penaltyDailyRate: '0', penaltyInterest: Money.ZERO });
      continue;
    }
    const s = segments[index];
    rows.push({
      date,
      normalPrincipal: s.normal,
      dailyRate: s.dailyRate,
      interest: s.normal.times(s.dailyRate),
      penaltyPrincipal: s.penalty,
      penaltyDailyRate: s.penaltyDailyRate,
      penaltyInterest: s.penalty.times(s.penaltyDailyRate),
    });
  }
  return rows;
}
