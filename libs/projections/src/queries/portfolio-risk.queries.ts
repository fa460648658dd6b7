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

/** The vintages' cohorts: a range of approval months, and with `last` only the newest `last` of them that have accounts. */
export type VintagesRange = MonthRange & { last?: number };

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function assertMonthRange({ from, to }: MonthRange): void {
  for (const [field, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && !MONTH.test(value)) throw new QueryInputError(`${field} must be a month YYYY-MM`, field);
  }
  if (from !== undefined && to !== undefined && to < from) throw new QueryInputError('to must not be before from', 'to');
}

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

type FigureRow = { key: string; count: number; amount: string };

/** The keys that begin with `prefix` and SEP lie from `prefix` up to this, SEP's successor after it. */
const after = (prefix: string) => `${prefix}${String.fromCharCode(SEP.charCodeAt(0) + 1)}`;

/**
 * The rows of `section` whose keys begin with a month (or cohort) in `range`, in the keys' order: a range of
 * the table's key, so a range of months reads those months alone, however many month ends came before.
 */
function rowsIn(db: Db, section: string, { from, to }: MonthRange): FigureRow[] {
  const bounds = [from === undefined ? '' : 'AND key >= @from', to === undefined ? '' : 'AND key < @to'].join(' ');
  return db
    .prepare(`SELECT key, count, amount FROM portfolio_figures WHERE section = @section ${bounds} ORDER BY key`)
    .all({ section, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to: after(to) }) }) as FigureRow[];
}

/**
 * The cohorts `vintage_month` holds in `range`, oldest first: one seek a cohort (its rows are keyed by
 * cohort first), rather than a read of every cohort's month ends.
 */
function cohortsIn(db: Db, { from, to }: MonthRange): string[] {
  const next = db.prepare("SELECT key FROM portfolio_figures WHERE section = 'vintage_month' AND key >= ? ORDER BY key LIMIT 1").pluck();
  const cohorts: string[] = [];
  let key = next.get(from ?? '') as string | undefined;
  while (key !== undefined) {
    const cohort = key.slice(0, key.indexOf(SEP));
    if (to !== undefined && cohort > to) break;
    cohorts.push(cohort);
    key = next.get(after(cohort)) as string | undefined;
  }
  return cohorts;
}

/**
 * The vintage curves: for each approval month in `range` (cohorts), its accounts by bucket at every month
 * end; with `last`, only the newest `last` cohorts of the range that have accounts (a dashboard drawing a
 * year of them read ten years' month ends every refresh, 4 MB). Only the cohorts answered are read.
 */
export function getVintages(db: Db, range: VintagesRange = {}): VintagesView {
  assertMonthRange(range);
  if (range.last !== undefined && (!Number.isSafeInteger(range.last) || range.last < 1)) throw new QueryInputError('last must be a positive integer', 'last');
  // One read transaction: the cohorts' seeks, their rows and the last close see the same read models,
  // where a month end committed between them could add a month the cohorts' count did not see.
  return db.transaction(() => vintagesNow(db, range))();
}

function vintagesNow(db: Db, range: VintagesRange): VintagesView {
  const inAll = cohortsIn(db, range);
  const kept = range.last === undefined ? inAll : inAll.slice(-range.last);
  // Keyed cohort, month, bucket: a cohort's rows come together, its month ends in order.
  const byCohort = new Map<string, Map<string, Map<string, BucketFigures>>>();
  const rows = kept.length === 0 ? [] : rowsIn(db, 'vintage_month', { from: kept[0], to: kept[kept.length - 1] });
  for (const r of rows) {
    const [cohort, month, bucket] = r.key.split(SEP);
    const months = byCohort.get(cohort) ?? byCohort.set(cohort, new Map()).get(cohort)!;
    const buckets = months.get(month) ?? months.set(month, new Map()).get(month)!;
    buckets.set(bucket, { accounts: r.count, outstanding: money(new Dec(r.amount)) });
  }
  const cohorts = [...byCohort.keys()].map((cohort) => ({
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
  return { lastClosedBusinessDay: lastClosedBusinessDay(db), cohorts, olderCohorts: inAll.length - kept.length };
}

/**
 * The roll rates at each month end in `range`: every account open at that month end, by its bucket at
 * the month end before (NEW if it was not open then) and its bucket now, with what it owes now.
 */
export function getRollRates(db: Db, range: MonthRange = {}): RollRatesView {
  assertMonthRange(range);
  // One read transaction, as the vintages': the rolls, their kinds and the last close of one month end.
  return db.transaction(() => rollRatesNow(db, range))();
}

function rollRatesNow(db: Db, range: MonthRange): RollRatesView {
  const byMonth = new Map<string, Map<string, BucketFigures>>();
  for (const r of rowsIn(db, 'roll_month', range)) {
    const [month, from, to] = r.key.split(SEP);
    const cells = byMonth.get(month) ?? byMonth.set(month, new Map()).get(month)!;
    cells.set(`${from}${SEP}${to}`, { accounts: r.count, outstanding: money(new Dec(r.amount)) });
  }
  const kinds = new Map(rowsIn(db, 'roll_kind_month', range).map((r) => [r.key, r.count]));
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
