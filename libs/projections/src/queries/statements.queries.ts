import { type BilledInstallmentPeriod, Money } from '@ledger/credit';
import type { Db } from '../runner/projection';
import type { StatementRow, StatementStatus } from '../projections/statements.projection';
import { annualRate } from './accounts.queries';
import { QueryInputError } from './query-input';

/** A statement as the API shows it; amounts are decimal strings of CNY (`exact`/`reversed`/`residual` may have more than 2 decimals). */
export interface StatementView {
  accountId: string;
  /** The billed month, YYYY-MM. */
  statementId: string;
  statementDate: string;
  periodFrom: string;
  periodTo: string;
  dueDate: string;
  newDraws: string;
  refunds: string;
  revolvingPrincipal: string;
  installmentPeriods: BilledInstallmentPeriod[];
  /**
   * The month's exact sum of daily amounts; what upheld disputes took off it before billing (the disputed
   * draws' shares, "0" when none); what it charges (exact - reversed, rounded half-up once); the residual.
   */
  interest: AccrualView;
  penaltyInterest: AccrualView;
  fees: string;
  previousBalance: string;
  statementBalance: string;
  overdueIncluded: string;
  minimumRepayment: string;
  /**
   * The minimum an upheld dispute set again without the disputed draw (`DisputedDrawMinimums`), null
   * while none has; `minimumRepayment` stays what the statement said when issued.
   */
  minimumLoweredTo: string | null;
  /**
   * Paid against this statement since it was issued: repayments, and refunds and upheld disputes'
   * reversals (their principal and the charges they gave back) allocated to it.
   */
  paid: { repayments: string; refunds: string };
  /**
   * Repayments received since the statement was issued, whatever they were allocated to (earlier
   * statements first), for as long as the account lists it (until it is paid off and past its due
   * date): what counts toward its minimum repayment, which includes the earlier statements' balances.
   * So a statement may show MINIMUM_PAID with nothing paid against it.
   */
  repaidSinceIssue: string;
  outstanding: string;
  status: StatementStatus;
  overdueSince: string | null;
  termsVersion: string;
  /** The daily rate of the cycle billed, and its annualized rate (年化利率, daily x 365; PRODUCT.md §2). */
  dailyRate: string;
  annualRate: string;
  /** The penalty rate of the cycle billed (section 8), daily and annualized. */
  penaltyDailyRate: string;
  penaltyAnnualRate: string;
}

export interface AccrualView {
  exact: string;
  reversed: string;
  charged: string;
  residual: string;
}

/** The stored figures, with `reversed` as they imply it (the statement records exact = reversed + charged + residual). */
export function accrualView(exact: string, charged: string, residual: string): AccrualView {
  return { exact, reversed: Money.exact(exact).minus(Money.of(charged)).minus(Money.exact(residual)).toExactString(), charged, residual };
}

function toView(r: StatementRow): StatementView {
  return {
    accountId: r.account_id,
    statementId: r.statement_id,
    statementDate: r.statement_date,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    dueDate: r.due_date,
    newDraws: r.new_draws,
    refunds: r.refunds,
    revolvingPrincipal: r.revolving_principal,
    installmentPeriods: JSON.parse(r.installment_periods_json) as BilledInstallmentPeriod[],
    interest: accrualView(r.interest_exact, r.interest_charged, r.interest_residual),
    penaltyInterest: accrualView(r.penalty_exact, r.penalty_charged, r.penalty_residual),
    fees: r.fees,
    previousBalance: r.previous_balance,
    statementBalance: r.statement_balance,
    overdueIncluded: r.overdue_included,
    minimumRepayment: r.minimum_repayment,
    minimumLoweredTo: r.minimum_lowered_to,
    paid: { repayments: r.repaid, refunds: r.refunded },
    repaidSinceIssue: r.repaid_since_issue,
    outstanding: r.outstanding,
    status: r.status,
    overdueSince: r.overdue_since,
    termsVersion: r.terms_version,
    dailyRate: r.daily_rate,
    annualRate: annualRate(r.daily_rate),
    penaltyDailyRate: r.penalty_daily_rate,
    penaltyAnnualRate: annualRate(r.penalty_daily_rate),
  };
}

/** Every statement of an account, oldest first. */
export function getStatements(db: Db, accountId: string): StatementView[] {
  const rows = db
    .prepare('SELECT * FROM statements WHERE account_id = ? ORDER BY statement_id')
    .all(accountId) as StatementRow[];
  return rows.map(toView);
}

/** One statement by its month (YYYY-MM), or null. */
export function getStatement(db: Db, accountId: string, month: string): StatementView | null {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
    throw new QueryInputError('the statement month must be YYYY-MM', 'month');
  const row = db
    .prepare('SELECT * FROM statements WHERE account_id = ? AND statement_id = ?')
    .get(accountId, month) as StatementRow | undefined;
  return row ? toView(row) : null;
}
