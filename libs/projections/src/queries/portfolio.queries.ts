/** The dashboard's figures, read from the incrementally kept portfolio table. */
import { DELINQUENCY_BUCKETS, Dec, OVERDUE_ORIGINS, type OverdueOrigin } from '@ledger/credit';
import { PORTFOLIO_KEY_SEPARATOR } from '../projections/portfolio.projection';
import type { Db } from '../runner/projection';
import { lastClosedBusinessDay } from './business-days.queries';

export interface PortfolioView {
  lastClosedBusinessDay: string | null;
  accountsByStatus: Record<string, number>;
  /** Everything owed across opened accounts (active, and closed ones still owing), by kind; decimal strings of CNY. */
  outstanding: {
    revolvingUnbilled: string;
    revolvingBilled: string;
    installment: string;
    interest: string;
    fees: string;
    penalty: string;
    total: string;
  };
  /**
   * Opened accounts, their limits and the unused limit on them. `restricted` is the part of it no
   * customer can draw now: accounts payment-locked, frozen for overdue, risk-suspended or closed (each
   * counted once, under the first of those, as a declined draw names it), with their unused limit;
   * `drawable` is `available` less that.
   */
  exposure: {
    accounts: number;
    limit: string;
    available: string;
    drawable: string;
    restricted: { accounts: number; available: string; byReason: Record<string, { accounts: number; available: string }> };
  };
  /**
   * One row per bucket. `byKind` splits the bucket's overdue accounts by why their oldest overdue began: a
   * minimum not paid by its due date, or a remainder carried past the 90 days minimums may carry it (then
   * 91 days past due at once, so M3+); their `overdue` is what they owe past due. CURRENT has none.
   */
  delinquency: { bucket: string; accounts: number; outstanding: string; overdue: string; byKind: OverdueByKind }[];
  funnel: {
    byChannel: Record<string, { submitted: number; approved: number; rejected: number }>;
    rejectionReasons: Record<string, number>;
  };
  /**
   * What each statement month billed, and what upheld disputes have given back of it since (the disputed
   * draws' shares): billed less reversed is what that month's statements earn. The journal books a
   * reversal on its own date, so by posting date the give-back falls in the month of the reversal.
   */
  billedByMonth: {
    month: string;
    statements: number;
    interest: string;
    penaltyInterest: string;
    fees: string;
    reversedInterest: string;
    reversedPenaltyInterest: string;
    reversedFees: string;
  }[];
  limitChangesByQuarter: {
    quarter: string;
    increased: number;
    decreased: number;
    unchanged: number;
    netLimitChange: string;
  }[];
  /** Reasons of the quarterly reviews, counted per quarter and decision. */
  limitReviewReasons: { quarter: string; decision: string; reason: string; accounts: number }[];
  /**
   * Disputed draws (a stolen or fraudulent draw the customer reported): those still open, and per month
   * the disputes opened, upheld and rejected, and the draws upheld disputes reversed in full (the amount
   * given back, by the month of the reversal).
   */
  disputes: {
    open: number;
    byMonth: { month: string; opened: number; upheld: number; rejected: number; reversed: string }[];
  };
  /** The buckets as they stood when each month's last day closed. */
  delinquencyByMonth: {
    month: string;
    bucket: string;
    accounts: number;
    outstanding: string;
    overdue: string;
    byKind: OverdueByKind;
  }[];
}

/** A bucket's overdue accounts and what they owe past due, by why their oldest overdue began (`overdueOrigin`). */
export type OverdueByKind = Record<OverdueOrigin, { accounts: number; overdue: string }>;

/**
 * The sections of `portfolio_figures` the overview reads, each by its own range of the table's key. The
 * vintages and roll rates have routes of their own (`getVintages`, `getRollRates`), and their rows, which
 * grow with every month end and cohort, are not read here: a scan that skipped them still visited them
 * (6 ms at ten years of monthly cohorts).
 */
const OVERVIEW_SECTIONS = [
  'status', 'outstanding', 'exposure', 'restricted', 'bucket', 'bucket_overdue', 'bucket_kind',
  'funnel_submitted', 'funnel_approved', 'funnel_rejected', 'rejection_reason',
  'billed_interest', 'billed_penalty', 'billed_fees', 'reversed_interest', 'reversed_penalty', 'reversed_fees',
  'dispute_opened', 'dispute_upheld', 'dispute_rejected', 'dispute_reversed', 'disputes_open',
  'limit_review', 'limit_review_reason', 'bucket_month', 'bucket_overdue_month', 'bucket_kind_month',
] as const;
type OverviewSection = (typeof OVERVIEW_SECTIONS)[number];
type FigureRow = { section: OverviewSection; key: string; count: number; amount: string };

export function getPortfolio(db: Db): PortfolioView {
  const rows = db
    .prepare(`SELECT section, key, count, amount FROM portfolio_figures WHERE section IN (${OVERVIEW_SECTIONS.map(() => '?').join(', ')}) ORDER BY section, key`)
    .all(...OVERVIEW_SECTIONS) as FigureRow[];
  const SEP = PORTFOLIO_KEY_SEPARATOR;
  const byId = new Map(rows.map((r) => [`${r.section}${SEP}${r.key}`, r]));
  const bySection = new Map<OverviewSection, FigureRow[]>();
  for (const r of rows) (bySection.get(r.section) ?? bySection.set(r.section, []).get(r.section)!).push(r);
  const figure = (section: OverviewSection, key: string) => byId.get(`${section}${SEP}${key}`) ?? { count: 0, amount: '0' };
  const section = (name: OverviewSection) => bySection.get(name) ?? [];
  const money = (value: string) => new Dec(value).toFixed(2);
  /** `key` is a bucket, or a month and a bucket: its figures by kind under `section` (`bucket_kind`, `bucket_kind_month`). */
  const byKind = (section: OverviewSection, key: string): OverdueByKind =>
    Object.fromEntries(
      OVERDUE_ORIGINS.map((kind) => {
        const f = figure(section, `${key}${SEP}${kind}`);
        return [kind, { accounts: f.count, overdue: money(f.amount) }];
      }),
    ) as OverdueByKind;

  const kinds = [
    'revolvingUnbilled',
    'revolvingBilled',
    'installment',
    'interest',
    'fees',
    'penalty',
  ] as const;
  const outstanding = Object.fromEntries(
    kinds.map((k) => [k, money(figure('outstanding', k).amount)]),
  ) as Record<(typeof kinds)[number], string>;
  const total = kinds.reduce((sum, k) => sum.plus(outstanding[k]), new Dec(0));

  const byChannel: PortfolioView['funnel']['byChannel'] = {};
  const channel = (c: string) => (byChannel[c] ??= { submitted: 0, approved: 0, rejected: 0 });
  for (const r of section('funnel_submitted')) channel(r.key).submitted = r.count;
  for (const r of section('funnel_approved')) channel(r.key).approved = r.count;
  for (const r of section('funnel_rejected')) channel(r.key).rejected = r.count;

  const months = [
    ...new Set(
      [...section('billed_interest'), ...section('billed_penalty'), ...section('billed_fees')].map(
        (r) => r.key,
      ),
    ),
  ].sort();
  const quarters = new Map<string, PortfolioView['limitChangesByQuarter'][number]>();
  for (const r of section('limit_review')) {
    const [quarter, decision] = r.key.split(PORTFOLIO_KEY_SEPARATOR);
    const q = quarters.get(quarter) ?? {
      quarter,
      increased: 0,
      decreased: 0,
      unchanged: 0,
      netLimitChange: '0.00',
    };
    if (decision === 'INCREASED') q.increased = r.count;
    if (decision === 'DECREASED') q.decreased = r.count;
    if (decision === 'UNCHANGED') q.unchanged = r.count;
    q.netLimitChange = new Dec(q.netLimitChange).plus(r.amount).toFixed(2);
    quarters.set(quarter, q);
  }

  const disputeMonths = [...new Set((['dispute_opened', 'dispute_upheld', 'dispute_rejected', 'dispute_reversed'] as const).flatMap((name) => section(name).map((r) => r.key)))].sort();

  const restricted = section('restricted');
  const restrictedAvailable = restricted.reduce((sum, r) => sum.plus(r.amount), new Dec(0));
  return {
    lastClosedBusinessDay: lastClosedBusinessDay(db),
    accountsByStatus: Object.fromEntries(section('status').map((r) => [r.key, r.count])),
    outstanding: { ...outstanding, total: total.toFixed(2) },
    exposure: {
      accounts: figure('exposure', 'limit').count,
      limit: money(figure('exposure', 'limit').amount),
      available: money(figure('exposure', 'available').amount),
      drawable: money(new Dec(figure('exposure', 'available').amount).minus(restrictedAvailable).toFixed()),
      restricted: {
        accounts: restricted.reduce((n, r) => n + r.count, 0),
        available: money(restrictedAvailable.toFixed()),
        byReason: Object.fromEntries(restricted.map((r) => [r.key, { accounts: r.count, available: money(r.amount) }])),
      },
    },
    delinquency: DELINQUENCY_BUCKETS.map((bucket) => ({
      bucket,
      accounts: figure('bucket', bucket).count,
      outstanding: money(figure('bucket', bucket).amount),
      overdue: money(figure('bucket_overdue', bucket).amount),
      byKind: byKind('bucket_kind', bucket),
    })),
    funnel: {
      byChannel,
      rejectionReasons: Object.fromEntries(section('rejection_reason').map((r) => [r.key, r.count])),
    },
    billedByMonth: months.map((month) => ({
      month,
      statements: figure('billed_interest', month).count,
      interest: money(figure('billed_interest', month).amount),
      penaltyInterest: money(figure('billed_penalty', month).amount),
      fees: money(figure('billed_fees', month).amount),
      reversedInterest: money(figure('reversed_interest', month).amount),
      reversedPenaltyInterest: money(figure('reversed_penalty', month).amount),
      reversedFees: money(figure('reversed_fees', month).amount),
    })),
    disputes: {
      open: figure('disputes_open', 'all').count,
      byMonth: disputeMonths.map((month) => ({
        month,
        opened: figure('dispute_opened', month).count,
        upheld: figure('dispute_upheld', month).count,
        rejected: figure('dispute_rejected', month).count,
        reversed: money(figure('dispute_reversed', month).amount),
      })),
    },
    limitChangesByQuarter: [...quarters.values()],
    limitReviewReasons: section('limit_review_reason').map((r) => {
      const [quarter, decision, reason] = r.key.split(PORTFOLIO_KEY_SEPARATOR);
      return { quarter, decision, reason, accounts: r.count };
    }),
    delinquencyByMonth: section('bucket_month').map((r) => {
      const [month, bucket] = r.key.split(PORTFOLIO_KEY_SEPARATOR);
      return {
        month,
        bucket,
        accounts: r.count,
        outstanding: money(r.amount),
        overdue: money(figure('bucket_overdue_month', r.key).amount),
        byKind: byKind('bucket_kind_month', r.key),
      };
    }),
  };
}
