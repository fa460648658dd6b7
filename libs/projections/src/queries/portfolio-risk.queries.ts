/**
 * The credit risk views of the portfolio, read from the month-end figures the portfolio projection keeps:
 * vintage curves (each approval month's accounts by bucket at every month end since) and roll rates
 * (the accounts of each bucket at one month end by their bucket at the next).
 */
import { DELINQUENCY_BUCKETS, Dec, OVERDUE_ORIGINS, type OverdueOrigin } from '@ledger/credit';
import { PORTFOLIO_KEY_SEPARATOR as SEP, ROLL_NEW } from '../projections/portfolio.projection';
import type { Db } from '../runner/projection';
import { lastClosedBusinessDay } from './business-days.queries';
import { QueryInputError } from './query-input';

export interface BucketFigures {
  accounts: number;
  /** Everything they owe, a decimal string of CNY. */
  outstanding: string;
}

/** A part of a cohort and the share of the cohort's accounts it is (a decimal fraction, 4 places, half up). */
export interface CohortShare extends BucketFigures {
  share: string;
}

export interface VintageMonthEnd {
  /** The month whose last business day closed. */
  month: string;
  /** `month` less the cohort's month: 0 at the month end of the approval month. */
  monthsOnBook: number;
  /** The cohort's open accounts (active or closed, as the buckets count them) and what they owe. */
  accounts: number;
  outstanding: string;
  /** Every bucket, CURRENT to M3+, zeros included. */
  buckets: ({ bucket: string } & BucketFigures)[];
  /** The accounts past due (M1, M2, M3 and M3+). */
  m1Plus: CohortShare;
  /** The accounts over 30 days past due: M2, M3 and M3+. */
  m2Plus: CohortShare;
  /** The accounts in M3+, over 90 days past due (non-performing). */
  m3Plus: CohortShare;
}

export interface VintageCohort {
  /** The approval month (`approvedOn`). */
  cohort: string;
  /** One per month-end close since the cohort's first accounts opened, oldest first. */
  monthEnds: VintageMonthEnd[];
}

export interface VintagesView {
  lastClosedBusinessDay: string | null;
  cohorts: VintageCohort[];
  /** The cohorts of the range left out by `last` (the older ones); 0 without it. */
  olderCohorts: number;
}

export interface RollCell extends CohortShare {
  /** The bucket at this month end. */
  bucket: string;
  /**
   * Its accounts by why their oldest overdue began, a minimum not paid or a remainder carried past the
   * 90 days (which goes from CURRENT to M3+ at once): both zero in CURRENT.
   */
  byKind: Record<OverdueOrigin, number>;
}

export interface RollRow extends BucketFigures {
  /** The bucket at the month end before, or NEW for the accounts not open then. */
  from: string;
  /** Every bucket, CURRENT to M3+, zeros included; each cell's share is of the row's accounts. */
  to: RollCell[];
}

export interface RollMonth {
  /** The month whose last business day closed. */
  month: string;
  /** NEW, then every bucket, CURRENT to M3+, zeros included. */
  rows: RollRow[];
}

export interface RollRatesView {
  lastClosedBusinessDay: string | null;
  months: RollMonth[];
}

/** An inclusive range of months, either end open. */
export interface MonthRange {
  from?: string;
  to?: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function assertMonthRange({ from, to }: MonthRange): void {
  for (const [field, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && !MONTH.test(value)) throw new QueryInputError(`${field} must be a month YYYY-MM`, field);
  }
  if (from !== undefined && to !== undefined && to < from) throw new QueryInputError('to must not be before from', 'to');
}

const inRange = (month: string, { from, to }: MonthRange) => (from === undefined || month >= from) && (to === undefined || month <= to);

/** Whole months from `from` to `to` (YYYY-MM each). */
export function monthsBetween(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
}

const money = (value: Dec) => value.toFixed(2);

function share(part: number, whole: number): string {
  return whole === 0 ? '0.0000' : new Dec(part).div(whole).toFixed(4);
}

function sumOf(figures: readonly BucketFigures[]): BucketFigures {
  return {
    accounts: figures.reduce((n, f) => n + f.accounts, 0),
    outstanding: money(figures.reduce((sum, f) => sum.plus(f.outstanding), new Dec(0))),
  };
}

function rowsOf(db: Db, section: string): { key: string; count: number; amount: string }[] {
  return db.prepare('SELECT key, count, amount FROM portfolio_figures WHERE section = ? ORDER BY key').all(section) as { key: string; count: number; amount: string }[];
}

/**
 * The vintage curves: for each approval month in `range` (cohorts), its accounts by bucket at every month
 * end; with `last`, only the newest `last` cohorts of the range that have accounts (a dashboard drawing a
 * year of them read ten years' month ends every refresh, 4 MB).
 */
export function getVintages(db: Db, range: MonthRange & { last?: number } = {}): VintagesView {
  assertMonthRange(range);
  if (range.last !== undefined && (!Number.isSafeInteger(range.last) || range.last < 1)) throw new QueryInputError('last must be a positive integer', 'last');
  const rows = rowsOf(db, 'vintage_month').map((r) => ({ ...r, parts: r.key.split(SEP) }));
  const inAll = [...new Set(rows.map((r) => r.parts[1]).filter((cohort) => inRange(cohort, range)))].sort();
  const kept = new Set(range.last === undefined ? inAll : inAll.slice(-range.last));
  // Keyed month, cohort, bucket: rows of one month end and cohort come together, months in order.
  const byCohort = new Map<string, Map<string, Map<string, BucketFigures>>>();
  for (const r of rows) {
    const [month, cohort, bucket] = r.parts;
    if (!kept.has(cohort)) continue;
    const months = byCohort.get(cohort) ?? byCohort.set(cohort, new Map()).get(cohort)!;
    const buckets = months.get(month) ?? months.set(month, new Map()).get(month)!;
    buckets.set(bucket, { accounts: r.count, outstanding: money(new Dec(r.amount)) });
  }
  const cohorts = [...byCohort.keys()].sort().map((cohort) => ({
    cohort,
    monthEnds: [...byCohort.get(cohort)!].map(([month, found]) => {
      const buckets = DELINQUENCY_BUCKETS.map((bucket) => ({ bucket, ...(found.get(bucket) ?? { accounts: 0, outstanding: '0.00' }) }));
      const all = sumOf(buckets);
      const pastDue = sumOf(buckets.slice(1));
      const overThirty = sumOf(buckets.slice(2));
      const nonPerforming = buckets[DELINQUENCY_BUCKETS.length - 1];
      return {
        month,
        monthsOnBook: monthsBetween(cohort, month),
        ...all,
        buckets,
        m1Plus: { ...pastDue, share: share(pastDue.accounts, all.accounts) },
        m2Plus: { ...overThirty, share: share(overThirty.accounts, all.accounts) },
        m3Plus: { accounts: nonPerforming.accounts, outstanding: nonPerforming.outstanding, share: share(nonPerforming.accounts, all.accounts) },
      };
    }),
  }));
  return { lastClosedBusinessDay: lastClosedBusinessDay(db), cohorts, olderCohorts: inAll.length - kept.size };
}

/**
 * The roll rates at each month end in `range`: every account open at that month end, by its bucket at
 * the month end before (NEW if it was not open then) and its bucket now, with what it owes now.
 */
export function getRollRates(db: Db, range: MonthRange = {}): RollRatesView {
  assertMonthRange(range);
  const byMonth = new Map<string, Map<string, BucketFigures>>();
  for (const r of rowsOf(db, 'roll_month')) {
    const [month, from, to] = r.key.split(SEP);
    if (!inRange(month, range)) continue;
    const cells = byMonth.get(month) ?? byMonth.set(month, new Map()).get(month)!;
    cells.set(`${from}${SEP}${to}`, { accounts: r.count, outstanding: money(new Dec(r.amount)) });
  }
  const kinds = new Map(rowsOf(db, 'roll_kind_month').map((r) => [r.key, r.count]));
  const byKind = (month: string, from: string, to: string) =>
    Object.fromEntries(OVERDUE_ORIGINS.map((kind) => [kind, kinds.get([month, from, to, kind].join(SEP)) ?? 0])) as Record<OverdueOrigin, number>;
  const months = [...byMonth].map(([month, cells]) => ({
    month,
    rows: [ROLL_NEW, ...DELINQUENCY_BUCKETS].map((from) => {
      const found = DELINQUENCY_BUCKETS.map((bucket) => ({ bucket, ...(cells.get(`${from}${SEP}${bucket}`) ?? { accounts: 0, outstanding: '0.00' }) }));
      const row = sumOf(found);
      return { from, ...row, to: found.map((cell) => ({ ...cell, share: share(cell.accounts, row.accounts), byKind: byKind(month, from, cell.bucket) })) };
    }),
  }));
  return { lastClosedBusinessDay: lastClosedBusinessDay(db), months };
}
