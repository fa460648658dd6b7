/**
 * Daily interest rows, expanded on read from the stored segments with the domain's `accrualRows` (the
 * function billing sums), and only for days already closed: a day's end-of-day balance is final only
 * once the day has closed.
 */
import { type AccrualDay, accrualRows, addDays, Dec, Money } from '@ledger/credit';
import { segmentFromRow, type SegmentRow } from '../projections/accruals.projection';
import type { Db } from '../runner/projection';
import { lastClosedBusinessDay } from './business-days.queries';
import { assertRange } from './query-input';

const MAX_DAYS = 731;

/** One business day of an account's interest; amounts are exact (unrounded) decimal strings. */
export interface AccrualDayView {
  date: string;
  normalPrincipal: string;
  dailyRate: string;
  interest: string;
  penaltyPrincipal: string;
  penaltyDailyRate: string;
  penaltyInterest: string;
}

export interface AccrualsView {
  accountId: string;
  from: string;
  /** The last day shown: `to`, or the last closed business day when that is earlier. */
  to: string | null;
  lastClosedBusinessDay: string | null;
  days: AccrualDayView[];
  totals: { interest: string; penaltyInterest: string };
}

/** A day of `accrualRows` as the read side shows it (`verify` shows the replay's days the same way). */
export function accrualDayView(d: AccrualDay): AccrualDayView {
  return {
    date: d.date,
    normalPrincipal: d.normalPrincipal.toJSON(),
    dailyRate: d.dailyRate,
    interest: d.interest.toExactString(),
    penaltyPrincipal: d.penaltyPrincipal.toJSON(),
    penaltyDailyRate: d.penaltyDailyRate,
    penaltyInterest: d.penaltyInterest.toExactString(),
  };
}

export function getAccruals(db: Db, accountId: string, from: string, to: string): AccrualsView {
  assertRange(from, to, MAX_DAYS);
  const lastClosed = lastClosedBusinessDay(db);
  const until = lastClosed !== null && lastClosed < to ? lastClosed : to;
  const empty = {
    accountId,
    from,
    to: null,
    lastClosedBusinessDay: lastClosed,
    days: [],
    totals: { interest: '0', penaltyInterest: '0' },
  };
  if (lastClosed === null || until < from) return empty;
  // The segment in force on `from` starts at or before it; later ones start inside the range.
  const rows = db
    .prepare(
      `SELECT * FROM accrual_segments WHERE account_id = ? AND from_date <= ? AND from_date >= COALESCE(
         (SELECT MAX(from_date) FROM accrual_segments WHERE account_id = ? AND from_date <= ?), '') ORDER BY from_date`,
    )
    .all(accountId, until, accountId, from) as SegmentRow[];
  const days = accrualRows(rows.map(segmentFromRow), from, until);
  return {
    accountId,
    from,
    to: until,
    lastClosedBusinessDay: lastClosed,
    days: days.map(accrualDayView),
    totals: {
      interest: Money.sum(days.map((d) => d.interest)).toExactString(),
      penaltyInterest: Money.sum(days.map((d) => d.penaltyInterest)).toExactString(),
    },
  };
}

export interface PortfolioAccrualDay {
  date: string;
  interest: string;
  penaltyInterest: string;
}

/**
 * The whole portfolio's interest per closed day: the prefix sum of the per-date deltas (one row per date
 * on which some account's balance changed), exact.
 */
export function portfolioAccrualByDay(db: Db, from: string, to: string): PortfolioAccrualDay[] {
  assertRange(from, to, MAX_DAYS);
  const lastClosed = lastClosedBusinessDay(db);
  const until = lastClosed !== null && lastClosed < to ? lastClosed : to;
  if (lastClosed === null || until < from) return [];
  const deltas = db
    .prepare(
      'SELECT date, interest_delta, penalty_delta FROM accrual_portfolio_delta WHERE date <= ? ORDER BY date',
    )
    .all(until) as { date: string; interest_delta: string; penalty_delta: string }[];
  let interest = new Dec(0);
  let penalty = new Dec(0);
  let next = 0;
  const result: PortfolioAccrualDay[] = [];
  for (let day = from; day <= until; day = addDays(day, 1)) {
    for (; next < deltas.length && deltas[next].date <= day; next++) {
      interest = interest.plus(deltas[next].interest_delta);
      penalty = penalty.plus(deltas[next].penalty_delta);
    }
    result.push({ date: day, interest: interest.toFixed(), penaltyInterest: penalty.toFixed() });
  }
  return result;
}
