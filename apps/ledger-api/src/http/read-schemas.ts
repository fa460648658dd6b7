/**
 * The shapes of the read answers, for the OpenAPI document: the query routes (accounts, statements,
 * accruals, limit reviews, the installment quote and plans, the portfolio) and the audit routes (history, disputes,
 * a statement explained). Each class mirrors a view of the read side (`@ledger/projections` queries, the
 * installment quote, `@ledger/servicing/audit`) field for field; test/api/openapi-responses.e2e.spec.ts
 * validates real answers against them, refusing any field they do not list.
 *
 * Every amount is a decimal string of CNY and every rate a decimal fraction string ("0.0005" is 0.05% a
 * day). Posted amounts have 2 decimals; amounts described as exact may have more (daily accruals, shares,
 * residuals) or fewer ("0").
 */
import { ApiProperty, type ApiPropertyOptions, getSchemaPath } from '@nestjs/swagger';
import { CHART_OF_ACCOUNTS, DELINQUENCY_BUCKETS, ELIGIBILITY_RULES, OVERDUE_ORIGINS } from '@ledger/credit';

const DECIMAL = '^-?\\d+(\\.\\d+)?$';
const MONTH = '^\\d{4}-(0[1-9]|1[0-2])$';
const QUARTER = '^\\d{4}-Q[1-4]$';

const ACCOUNT_STATUSES = ['NONE', 'REJECTED', 'APPROVED', 'ACTIVE', 'CLOSED'];
const BUCKETS = [...DELINQUENCY_BUCKETS];
const CHANNELS = ['INVITED', 'CUSTOMER_SERVICE'];
const STATEMENT_STATUSES = ['OPEN', 'MINIMUM_PAID', 'PAID', 'OVERDUE'];
const REVIEW_DECISIONS = ['INCREASED', 'DECREASED', 'UNCHANGED'];
const REVIEW_REASONS = ['OVERDUE_IN_QUARTER', 'AT_FLOOR', 'UTILIZATION_AND_PAYMENTS_MET', 'CAPPED_BY_PAY_SCORE', 'NO_STATEMENT_DUE', 'MINIMUM_NOT_MET_BY_DUE_DATE', 'LOW_UTILIZATION', 'PREMIUM_RATE'];
const PLAN_STATUSES = ['ACTIVE', 'ENDED'];
const PLAN_END_REASONS = ['PAID_OFF_EARLY', 'BILLED_IN_FULL', 'REFUNDED', 'REVERSED_BY_DISPUTE', 'PREPAID'];
const STATEMENT_COMPONENTS = ['PENALTY_INTEREST', 'INTEREST', 'FEES', 'INSTALLMENT_PRINCIPAL', 'REVOLVING_PRINCIPAL'];

/** A decimal string (an amount of CNY, or a rate). */
function Decimal(example: string, description?: string, options: ApiPropertyOptions = {}): PropertyDecorator {
  return ApiProperty({ type: String, pattern: DECIMAL, example, ...(description ? { description } : {}), ...options } as ApiPropertyOptions);
}

/**
 * One of `values` or null. OpenAPI 3.0.3's `nullable` adds null to the type named beside it, and an enum
 * still refuses what it does not list: so null is in the enum too.
 */
function NullableEnum(values: readonly string[], example: string, description: string): PropertyDecorator {
  return ApiProperty({ type: String, enum: [...values, null], nullable: true, example, description } as ApiPropertyOptions);
}

/** A decimal string or null. */
function NullableDecimal(example: string | null, description: string): PropertyDecorator {
  return Decimal(example as string, description, { nullable: true });
}

/** A calendar date, YYYY-MM-DD (a business date in Asia/Shanghai). */
function Day(example: string, description?: string, nullable = false): PropertyDecorator {
  return ApiProperty({ type: String, format: 'date', example, ...(nullable ? { nullable } : {}), ...(description ? { description } : {}) } as ApiPropertyOptions);
}

function Month(example: string, description?: string): PropertyDecorator {
  return ApiProperty({ type: String, pattern: MONTH, example, ...(description ? { description } : {}) } as ApiPropertyOptions);
}

function Int(example: number, description?: string): PropertyDecorator {
  return ApiProperty({ type: 'integer', example, ...(description ? { description } : {}) } as ApiPropertyOptions);
}

/** An object keyed by an open set of names (statuses, channels, reasons), each to a count or to an object. */
function MapOf(values: 'integer' | (new () => unknown), example: Record<string, unknown>, description: string): PropertyDecorator {
  const additionalProperties = values === 'integer' ? { type: 'integer' } : { $ref: getSchemaPath(values) };
  return ApiProperty({ type: 'object', additionalProperties, example, description } as ApiPropertyOptions);
}

/* ------------------------------------------------------------------ accounts */

export class AccountHolderSchema {
  @ApiProperty({ example: '110***********0314' }) idNumberMasked!: string;
  @ApiProperty({ example: '王**' }) nameMasked!: string;
}

export class AccountOwedSchema {
  @Decimal('0.00', 'Revolving principal drawn since the last statement') revolvingUnbilled!: string;
  @Decimal('400.00', 'Revolving principal billed and unpaid') revolvingBilled!: string;
  @Decimal('0.00', 'Installment principal billed and unpaid') installmentBilled!: string;
  @Decimal('0.00', 'Installment principal of periods not yet billed') installmentUnbilled!: string;
  @Decimal('0.00', 'installmentBilled + installmentUnbilled') installmentPrincipal!: string;
  @Decimal('2.40', 'Billed interest unpaid') interest!: string;
  @Decimal('0.00', 'Installment fees billed and unpaid') fees!: string;
  @Decimal('0.00', 'Billed penalty interest unpaid') penaltyInterest!: string;
  @Decimal('402.40', 'Everything owed') total!: string;
}

export class AccountOverdueSchema {
  @Decimal('40.24', 'What is past due; "0.00" when current') amount!: string;
  @Day('2026-04-11', 'First day of the overdue episode; null when current', true) since!: string | null;
  @NullableEnum(
    OVERDUE_ORIGINS,
    'MINIMUM_NOT_PAID',
    "Why that episode began: MINIMUM_NOT_PAID when its statement's minimum was not met by its due date (still so once the statement's remainder also passes the 90 days, and when the minimum was paid late), DEFERRAL_LIMIT_REACHED when the minimum was met and the remainder was carried past the 90 days minimums may carry it (then overdue from the day after its due date, so at once 91 days past due and M3+); null when current",
  )
  kind!: string | null;
  @Int(4, 'Days past due as of `asOf` (0 when current)') daysPastDue!: number;
  @ApiProperty({ enum: BUCKETS, example: 'M1', description: 'Delinquency bucket' }) bucket!: string;
}

export class AccountFlagsSchema {
  @ApiProperty({ description: 'Frozen for an overdue' }) frozen!: boolean;
  @ApiProperty({ description: 'Suspended by risk control' }) suspended!: boolean;
  @ApiProperty({ description: 'Locked after failed payment authentications' }) paymentLocked!: boolean;
}

export class AccountRejectionSchema {
  @ApiProperty({ enum: ELIGIBILITY_RULES.map(([code]) => code), isArray: true, example: ['PAY_SCORE_TOO_LOW'], description: 'Every eligibility rule the application failed (PRODUCT.md §1)' }) reasons!: string[];
  @Day('2026-03-02', "The rejection a new application's 30-day wait counts from: one before that day + 30 is REAPPLY_TOO_SOON (a REAPPLY_TOO_SOON rejection does not restart the wait); null when none counts", true) reapplyWaitFrom!: string | null;
}

export class AccountViewSchema {
  @ApiProperty({ example: 'acc_76baf528b080b23acd39' }) accountId!: string;
  @ApiProperty({ enum: ACCOUNT_STATUSES, example: 'ACTIVE', description: 'NONE only in an audit replay, before the application was decided' }) status!: string;
  @ApiProperty({ type: AccountHolderSchema, nullable: true, description: 'The masked applicant; null when the application recorded none' }) holder!: AccountHolderSchema | null;
  @NullableEnum(CHANNELS, 'INVITED', 'Application channel; null before the application is recorded (in an audit replay)') channel!: string | null;
  @Decimal('2000.00', 'Credit limit') limit!: string;
  @Decimal('1597.60', 'What may be drawn now') available!: string;
  @Decimal('0.0005', 'Daily interest rate, a decimal fraction') dailyRate!: string;
  @Decimal('0.1825', 'Simple annualized rate: dailyRate x 365') annualRate!: string;
  @Decimal('0.00065', 'Daily penalty interest rate on overdue amounts') penaltyDailyRate!: string;
  @Decimal('0.23725', 'Simple annualized penalty rate: penaltyDailyRate x 365, as a statement shows it') penaltyAnnualRate!: string;
  @ApiProperty({ type: AccountOwedSchema }) owed!: AccountOwedSchema;
  @ApiProperty({ type: AccountOverdueSchema }) overdue!: AccountOverdueSchema;
  @ApiProperty({ type: AccountFlagsSchema }) flags!: AccountFlagsSchema;
  @ApiProperty({ type: String, nullable: true, pattern: MONTH, example: '2026-03', description: 'The latest statement (billed month); null before the first' }) lastStatementId!: string | null;
  @Int(650) payScore!: number;
  @Day('2026-04-14', 'The business date the figures are as of: the day after the last closed one, or the date of the account\'s own last event where a close being run dated it later (in an audit replay, the business date of the event); null before any', true) asOf!: string | null;
  @ApiProperty({ type: AccountRejectionSchema, nullable: true, description: 'Why the application was refused, and when a new one may come; null unless the account stands rejected' }) rejection!: AccountRejectionSchema | null;
  @ApiProperty({ type: String, pattern: '^\\d+$', example: '131', description: 'Global log position of the last event applied to the account, a decimal string as every log position (an EventStoreDB position may pass 2^53)' }) updatedPosition!: string;
}

export class AccountPageSchema {
  @ApiProperty({ type: [AccountViewSchema] }) items!: AccountViewSchema[];
  @ApiProperty({ type: String, nullable: true, example: 'acc_76baf528b080b23acd39', description: 'Pass as `cursor` for the next page (account id order only); null on the last page, or when sorted otherwise' }) nextCursor!: string | null;
  @Int(1834, 'The accounts the filters select, on every page (before `cursor` and `offset`)') total!: number;
}

/* ---------------------------------------------------------------- statements */

export class BilledInstallmentPeriodSchema {
  @ApiProperty({ example: 'B-sofa', description: "The installment plan (its draw's order id)" }) planId!: string;
  @Int(1, 'Period number, from 1') period!: number;
  @Decimal('200.00') principal!: string;
  @Decimal('3.00') fee!: string;
}

export class StatementAccrualSchema {
  @Decimal('3.3', "Exact sum of the period's daily amounts (may have more than 2 decimals)") exact!: string;
  @Decimal('0', "What upheld disputes took off before billing (the disputed draws' exact shares); \"0\" when none") reversed!: string;
  @Decimal('3.30', 'What the statement charges: exact - reversed, rounded half up once') charged!: string;
  @Decimal('0', 'exact - reversed - charged: the sub-fen rounding residual, exact') residual!: string;
}

export class StatementPaidSchema {
  @Decimal('75.63', 'Repayments allocated to this statement') repayments!: string;
  @Decimal('300.00', "Refunds and upheld disputes' reversals (principal and charges given back) allocated to this statement") refunds!: string;
}

export class StatementViewSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @Month('2026-03', 'The billed month') statementId!: string;
  @Day('2026-04-01') statementDate!: string;
  @Day('2026-03-01') periodFrom!: string;
  @Day('2026-03-31') periodTo!: string;
  @Day('2026-04-10') dueDate!: string;
  @Decimal('700.00', 'Draws of the period still revolving') newDraws!: string;
  @Decimal('100.00', "Merchant refunds and upheld disputes' reversals recorded in the period, principal only, whatever they were allocated to: one of a draw billed on an earlier statement also shows in that statement's paid.refunds (with any charges given back), and what exceeded everything owed went back to the customer's card") refunds!: string;
  @Decimal('550.00', 'Revolving principal billed') revolvingPrincipal!: string;
  @ApiProperty({ type: [BilledInstallmentPeriodSchema], description: 'Installment periods billed' }) installmentPeriods!: BilledInstallmentPeriodSchema[];
  @ApiProperty({ type: StatementAccrualSchema }) interest!: StatementAccrualSchema;
  @ApiProperty({ type: StatementAccrualSchema }) penaltyInterest!: StatementAccrualSchema;
  @Decimal('3.00', 'Installment fees billed') fees!: string;
  @Decimal('0.00', 'Still owed from earlier statements at the cut') previousBalance!: string;
  @Decimal('756.30', 'Everything billed and still owed after this statement') statementBalance!: string;
  @Decimal('0.00', 'Overdue amounts of earlier statements, included in the minimum') overdueIncluded!: string;
  @Decimal('75.63', 'The minimum as issued') minimumRepayment!: string;
  @NullableDecimal('45.45', 'The minimum an upheld dispute set again without the disputed draw; null while none has') minimumLoweredTo!: string | null;
  @ApiProperty({ type: StatementPaidSchema, description: 'Paid against this statement since it was issued' }) paid!: StatementPaidSchema;
  @Decimal('75.63', 'Repayments received since issue, whatever they were allocated to (what counts toward the minimum)') repaidSinceIssue!: string;
  @Decimal('380.67', 'Still owed on this statement') outstanding!: string;
  @ApiProperty({ enum: STATEMENT_STATUSES, example: 'MINIMUM_PAID' }) status!: string;
  @Day('2026-04-11', 'null unless overdue', true) overdueSince!: string | null;
  @ApiProperty({ example: '2026-01', description: 'Product terms version the statement was billed under' }) termsVersion!: string;
  @Decimal('0.0005', 'Daily rate of the cycle billed') dailyRate!: string;
  @Decimal('0.1825', 'dailyRate x 365') annualRate!: string;
  @Decimal('0.00065', 'Daily penalty rate of the cycle billed') penaltyDailyRate!: string;
  @Decimal('0.23725', 'penaltyDailyRate x 365') penaltyAnnualRate!: string;
}

export class NextStatementSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @Month('2026-03', 'The month the statement will bill (the cycle of the first business day not closed)') statementId!: string;
  @Day('2026-03-01') periodFrom!: string;
  @Day('2026-03-14', "The last day whose interest is counted: the last closed business day (the day before periodFrom when none of the cycle has closed). Interest goes on accruing daily until the month's last day closes") accruedThrough!: string;
  @Day('2026-03-15', 'The first business day not closed: the figures are as of its start, with every command of it recorded so far') asOf!: string;
  @Day('2026-04-10') dueDate!: string;
  @ApiProperty({ example: true, description: 'Whether the month end would issue a statement were nothing else to happen (something owed, or some activity in the cycle)' }) wouldIssue!: boolean;
  @Decimal('700.00', 'Draws of the cycle still revolving, so far') newDraws!: string;
  @Decimal('100.00', 'Refunds and reversals of the cycle, so far') refunds!: string;
  @Decimal('550.00', 'Revolving principal the statement would bill: drawn since the last statement and unpaid') revolvingPrincipal!: string;
  @ApiProperty({ type: [BilledInstallmentPeriodSchema], description: 'The installment period of each open plan the month end will bill (a plan paid off early: its remainder, with the fee it kept)' }) installmentPeriods!: BilledInstallmentPeriodSchema[];
  @ApiProperty({ type: StatementAccrualSchema, description: 'Interest accrued from periodFrom through accruedThrough: exact, and charged as billing would round it' }) interest!: StatementAccrualSchema;
  @ApiProperty({ type: StatementAccrualSchema, description: 'Penalty interest accrued so far, the same way' }) penaltyInterest!: StatementAccrualSchema;
  @Decimal('3.00', 'Fees of the installment periods listed') fees!: string;
  @Decimal('0.00', 'Still owed from earlier statements now') previousBalance!: string;
  @Decimal('756.30', "What the statement would bill if the cycle ended with accruedThrough: previousBalance plus this cycle's figures") statementBalance!: string;
  @Decimal('0.00', 'Overdue amounts of earlier statements now, which the minimum would include') overdueIncluded!: string;
  @Decimal('75.63', 'The minimum on statementBalance as it stands') minimumRepayment!: string;
  @ApiProperty({ example: '2026-01', description: 'Product terms version the account is billed under' }) termsVersion!: string;
}

export class StatementListSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @ApiProperty({ type: [StatementViewSchema], description: 'Oldest first' }) statements!: StatementViewSchema[];
}

/* ------------------------------------------------------------------ accruals */

export class AccrualDaySchema {
  @Day('2026-03-20') date!: string;
  @Decimal('550.00', 'Principal bearing the normal daily rate at the end of the day') normalPrincipal!: string;
  @Decimal('0.0005') dailyRate!: string;
  @Decimal('0.275', "The day's interest, exact (not rounded)") interest!: string;
  @Decimal('0.00', 'Overdue principal bearing the penalty rate') penaltyPrincipal!: string;
  @Decimal('0.00065') penaltyDailyRate!: string;
  @Decimal('0', "The day's penalty interest, exact") penaltyInterest!: string;
}

export class AccrualTotalsSchema {
  @Decimal('3.3', 'Exact sum of the days shown') interest!: string;
  @Decimal('0', 'Exact sum of the days shown') penaltyInterest!: string;
}

export class AccrualsViewSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @Day('2026-03-20') from!: string;
  @Day('2026-04-13', 'The last day shown: `to`, or the last closed business day when earlier; null when no day of the range has closed', true) to!: string | null;
  @Day('2026-04-13', 'null before the first end of day', true) lastClosedBusinessDay!: string | null;
  @ApiProperty({ type: [AccrualDaySchema], description: 'One row per closed business day of the range' }) days!: AccrualDaySchema[];
  @ApiProperty({ type: AccrualTotalsSchema }) totals!: AccrualTotalsSchema;
}

export class PortfolioAccrualDaySchema {
  @Day('2026-03-20') date!: string;
  @Decimal('0.475', 'Interest accrued across the portfolio that day, exact') interest!: string;
  @Decimal('0', 'Penalty interest accrued across the portfolio that day, exact') penaltyInterest!: string;
}

/* ------------------------------------------------------------------- journal */

export class TrialBalanceLineSchema {
  @ApiProperty({ enum: CHART_OF_ACCOUNTS, example: 'REVOLVING_PRINCIPAL_RECEIVABLE' }) ledgerAccount!: string;
  @Decimal('1520.00', 'Signed balance of everything posted before `from` (debits positive, credits negative)') opening!: string;
  @Decimal('830.00', 'Debits posted in the range') debits!: string;
  @Decimal('412.50', 'Credits posted in the range') credits!: string;
  @Decimal('1937.50', 'opening + debits - credits') closing!: string;
}

export class TrialBalanceTotalsSchema {
  @Decimal('2318.40', 'Debits of every ledger account: equal to the credits') debits!: string;
  @Decimal('2318.40') credits!: string;
  @Decimal('0.00', 'The closing balances summed: always zero') closing!: string;
}

export class TrialBalanceSchema {
  @Day('2026-03-01') from!: string;
  @Day('2026-03-31') to!: string;
  @ApiProperty({ enum: ['posting', 'businessDay'], example: 'posting', description: 'posting: each line on its posting date (a statement\'s charges on the 1st); businessDay: on the business day that decided it, so the range is as of its last close, as `ledger gl --by business-day` gives it' }) dateBy!: string;
  @Day('2026-03-31', "null before the first end of day. A posting date after it may still take lines (a month end's close posts its statements on the 1st)", true) lastClosedBusinessDay!: string | null;
  @Int(1480, 'Journal lines in the range') lineCount!: number;
  @ApiProperty({ type: [TrialBalanceLineSchema], description: 'Every ledger account of the chart, in its order, as `ledger gl` lists them' }) trialBalance!: TrialBalanceLineSchema[];
  @ApiProperty({ type: TrialBalanceTotalsSchema }) totals!: TrialBalanceTotalsSchema;
}

export class JournalDaySchema {
  @Day('2026-03-05', 'The posting date') date!: string;
  @ApiProperty({ enum: CHART_OF_ACCOUNTS, example: 'MERCHANT_SETTLEMENT' }) ledgerAccount!: string;
  @Decimal('0.00') debits!: string;
  @Decimal('830.00') credits!: string;
  @Int(12, 'Journal lines on that account that day') lineCount!: number;
}

/* ------------------------------------------------------------- limit reviews */

export class LimitReviewInputsSchema {
  @Decimal('0.575', 'Average owed / limit over the quarter, 6 decimals at most') averageUtilization!: string;
  @Int(0, 'Days of the quarter the account ended overdue (end of day, as utilization is read): the day of a cure is not one, so an overdue cured on its first day counts 0') overdueDays!: number;
  @Int(0, 'Overdue episodes begun in the quarter (any one decreases the limit)') overdueEpisodes!: number;
  @Int(0) statementsDue!: number;
  @Int(0, 'Statements whose minimum was met by the due date') statementsPaidOnTime!: number;
  @Int(650) payScore!: number;
  @Decimal('1156.30', 'Everything owed at the review') owed!: string;
}

export class LimitReviewSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @ApiProperty({ type: String, pattern: QUARTER, example: '2026-Q1' }) quarter!: string;
  @Day('2026-04-01', 'The first day of the next quarter, when it takes effect') reviewedOn!: string;
  @ApiProperty({ type: LimitReviewInputsSchema }) inputs!: LimitReviewInputsSchema;
  @ApiProperty({ enum: REVIEW_DECISIONS, example: 'UNCHANGED' }) decision!: string;
  @ApiProperty({ enum: REVIEW_REASONS, isArray: true, example: ['NO_STATEMENT_DUE'] }) reasons!: string[];
  @Decimal('2000.00') oldLimit!: string;
  @Decimal('2000.00') newLimit!: string;
  @Decimal('0.0005') oldDailyRate!: string;
  @Decimal('0.0005') newDailyRate!: string;
  @Decimal('0.00065') newPenaltyDailyRate!: string;
  @ApiProperty({ example: '2026-01' }) termsVersion!: string;
}

export class LimitReviewListSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @ApiProperty({ type: [LimitReviewSchema], description: 'Every quarterly review, oldest first, those that changed nothing included' }) reviews!: LimitReviewSchema[];
}

/* --------------------------------------------------------- installment quote */

export class InstallmentScheduleRowSchema {
  @Int(1) period!: number;
  @Decimal('200.00') principal!: string;
  @Decimal('3.00') fee!: string;
  @Decimal('203.00') total!: string;
}

export class InstallmentQuoteSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @Decimal('600.00') amount!: string;
  @Int(3) periods!: number;
  @Decimal('0.005', 'Fee per period as a fraction of the principal') monthlyFeeRate!: string;
  @Decimal('3.00') feePerPeriod!: string;
  @Decimal('9.00') totalFee!: string;
  @Decimal('609.00') totalRepayable!: string;
  @Decimal('0.0898', 'APR: the IRR of the cash flows, annualized as 12 x the monthly IRR, 4 decimals') apr!: string;
  @ApiProperty({ example: '8.98%' }) aprPercent!: string;
  @ApiProperty({ type: [InstallmentScheduleRowSchema] }) schedule!: InstallmentScheduleRowSchema[];
  @ApiProperty({ example: '2026-01', description: "The account's product terms version the quote uses" }) termsVersion!: string;
}

export class PlanAmountsSchema {
  @Decimal('400.00') principal!: string;
  @Decimal('6.00') fees!: string;
}

export class PlanPayoffSchema {
  @Decimal('800.00', 'The unbilled principal the next statement would bill whole') principalAccelerated!: string;
  @Decimal('6.00', "The fee of the period in progress, billed with it (PRODUCT.md §5: only later fees are waived)") feeKept!: string;
  @Decimal('6.00', 'The later fees no statement would bill') feesWaived!: string;
}

export class InstallmentPlanSchema {
  @ApiProperty({ example: 'ORD-20260102-0001', description: 'The plan is named by the draw it converted' }) planId!: string;
  @ApiProperty({ example: 'ORD-20260102-0001' }) drawId!: string;
  @Day('2026-01-02', 'The business date of the conversion') createdOn!: string;
  @Decimal('1200.00') principal!: string;
  @Int(3) periods!: number;
  @Decimal('0.005', 'Fee per period as a fraction of the principal') monthlyFeeRate!: string;
  @Decimal('6.00') feePerPeriod!: string;
  @Decimal('0.0898', 'APR recorded at conversion: the IRR of the cash flows, annualized as 12 x the monthly IRR') apr!: string;
  @Int(1, 'Statements that billed a period of it; a paid-off remainder is billed whole on one') periodsBilled!: number;
  @Int(2, 'Statements still to bill a period of it: the next, and each later one up to the last with principal left (periods a refund or prepayment emptied at the end are never billed); 0 once the plan has ended') periodsLeft!: number;
  @ApiProperty({ type: PlanAmountsSchema, description: 'What its statements billed, fees included (a refund, repayment or upheld dispute since, even one that gave fees back, does not change it)' }) billed!: PlanAmountsSchema;
  @ApiProperty({
    type: PlanAmountsSchema,
    description: "What statements will still bill: the principal not yet billed and its periods' fees (none on a period prepaid or refunded to nothing); after a payoff, the remainder and the fee kept until the next statement bills them",
  })
  toBill!: PlanAmountsSchema;
  @ApiProperty({ enum: PLAN_STATUSES, example: 'ACTIVE', description: 'ENDED once it has nothing more to bill as scheduled: `endedOn` and `endReason` say when and why' }) status!: string;
  @Day('2026-02-05', 'The business date it ended; null while active', true) endedOn!: string | null;
  @NullableEnum(
    PLAN_END_REASONS,
    'PAID_OFF_EARLY',
    'PAID_OFF_EARLY (early payoff: its remainder is billed on the next statement), BILLED_IN_FULL (a statement billed the last it had to bill), REFUNDED (a merchant refund), REVERSED_BY_DISPUTE (an upheld dispute) or PREPAID (a repayment) took the last of its unbilled principal; null while active',
  )
  endReason!: string | null;
  @ApiProperty({
    type: PlanPayoffSchema,
    nullable: true,
    description: 'What POST /accounts/:id/installments/:planId/payoff would record now, by the same rule; null once the plan has ended',
  })
  payoffToday!: PlanPayoffSchema | null;
}

export class InstallmentPlanListSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @ApiProperty({ type: [InstallmentPlanSchema], description: 'Active plans first, then ended ones, each newest first (by conversion)' }) plans!: InstallmentPlanSchema[];
}

export class ControlsSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @NullableDecimal('500.00', 'Single-transaction limit (交易限额); null when none is set') singleTransactionLimit!: string | null;
  @ApiProperty({ example: false, description: 'Night lock (夜间锁): no draws 23:00-06:00' }) nightLock!: boolean;
}

/* ----------------------------------------------------------------- portfolio */

export class PortfolioOutstandingSchema {
  @Decimal('0.00') revolvingUnbilled!: string;
  @Decimal('650.00') revolvingBilled!: string;
  @Decimal('530.67', 'Installment principal, billed and unbilled') installment!: string;
  @Decimal('2.40') interest!: string;
  @Decimal('0.00') fees!: string;
  @Decimal('0.00', 'Penalty interest') penalty!: string;
  @Decimal('1183.07') total!: string;
}

export class RestrictedReasonSchema {
  @Int(1) accounts!: number;
  @Decimal('1597.60', 'Their unused limit') available!: string;
}

export class PortfolioRestrictedSchema {
  @Int(1) accounts!: number;
  @Decimal('1597.60', 'The unused limit no customer can draw now') available!: string;
  @MapOf(RestrictedReasonSchema, { FROZEN_OVERDUE: { accounts: 1, available: '1597.60' } }, 'By why the account cannot draw (PAYMENT_LOCKED, FROZEN_OVERDUE, RISK_SUSPENDED, CLOSED, ...), each account counted once, under the first that applies')
  byReason!: Record<string, RestrictedReasonSchema>;
}

export class PortfolioExposureSchema {
  @Int(2, 'Opened accounts (active, and closed ones)') accounts!: number;
  @Decimal('4000.00', 'Sum of their limits') limit!: string;
  @Decimal('2816.93', 'Sum of their unused limits') available!: string;
  @Decimal('1219.33', 'available less restricted.available') drawable!: string;
  @ApiProperty({ type: PortfolioRestrictedSchema, description: 'Accounts payment-locked, frozen for overdue, risk-suspended or closed, with their unused limit' }) restricted!: PortfolioRestrictedSchema;
}

export class OverdueKindFiguresSchema {
  @Int(1) accounts!: number;
  @Decimal('40.24', 'What they owe past due') overdue!: string;
}

export class OverdueByKindSchema {
  @ApiProperty({ type: OverdueKindFiguresSchema, description: 'Accounts whose oldest overdue began with a minimum not paid by its due date' })
  MINIMUM_NOT_PAID!: OverdueKindFiguresSchema;
  @ApiProperty({ type: OverdueKindFiguresSchema, description: 'Accounts whose oldest overdue began when a remainder had been carried past the 90 days minimums may carry it (91 days past due at once, so M3+)' })
  DEFERRAL_LIMIT_REACHED!: OverdueKindFiguresSchema;
}

const BY_KIND_DESCRIPTION = "The bucket's overdue accounts by why their oldest overdue began (both kinds always listed; CURRENT has none)";

export class DelinquencyBucketSchema {
  @ApiProperty({ enum: BUCKETS, example: 'M1' }) bucket!: string;
  @Int(1) accounts!: number;
  @Decimal('402.40', 'Everything the accounts in the bucket owe') outstanding!: string;
  @Decimal('40.24', 'The part past due') overdue!: string;
  @ApiProperty({ type: OverdueByKindSchema, description: BY_KIND_DESCRIPTION }) byKind!: OverdueByKindSchema;
}

export class ChannelFunnelSchema {
  @Int(3) submitted!: number;
  @Int(2) approved!: number;
  @Int(1) rejected!: number;
}

export class PortfolioFunnelSchema {
  @MapOf(ChannelFunnelSchema, { INVITED: { submitted: 3, approved: 2, rejected: 1 } }, 'Applications by channel (INVITED, CUSTOMER_SERVICE)') byChannel!: Record<string, ChannelFunnelSchema>;
  @MapOf('integer', { PAY_SCORE_TOO_LOW: 1 }, 'Rejected applications by rejection reason code') rejectionReasons!: Record<string, number>;
}

export class BilledMonthSchema {
  @Month('2026-03') month!: string;
  @Int(2) statements!: number;
  @Decimal('5.70') interest!: string;
  @Decimal('0.00') penaltyInterest!: string;
  @Decimal('3.00') fees!: string;
  @Decimal('1.80', "What upheld disputes have given back of the month's interest since") reversedInterest!: string;
  @Decimal('0.00') reversedPenaltyInterest!: string;
  @Decimal('0.00') reversedFees!: string;
}

export class DisputeMonthSchema {
  @Month('2026-03') month!: string;
  @Int(3, 'Disputes opened in the month') opened!: number;
  @Int(2, 'Disputes upheld in the month: each reversed its draw in full') upheld!: number;
  @Int(0, 'Disputes rejected in the month') rejected!: number;
  @Decimal('1280.00', 'What the draws reversed in the month amounted to') reversed!: string;
}

export class DisputesSchema {
  @Int(1, 'Disputes opened and not resolved yet') open!: number;
  @ApiProperty({ type: [DisputeMonthSchema], description: 'One row per month with a dispute opened, resolved or a draw reversed, oldest first' }) byMonth!: DisputeMonthSchema[];
}

export class LimitChangesQuarterSchema {
  @ApiProperty({ type: String, pattern: QUARTER, example: '2026-Q1' }) quarter!: string;
  @Int(0) increased!: number;
  @Int(0) decreased!: number;
  @Int(2) unchanged!: number;
  @Decimal('0.00', 'Sum of the limit changes (negative when decreases outweigh)') netLimitChange!: string;
}

export class LimitReviewReasonCountSchema {
  @ApiProperty({ type: String, pattern: QUARTER, example: '2026-Q1' }) quarter!: string;
  @ApiProperty({ enum: REVIEW_DECISIONS, example: 'UNCHANGED' }) decision!: string;
  @ApiProperty({ enum: REVIEW_REASONS, example: 'NO_STATEMENT_DUE' }) reason!: string;
  @Int(2) accounts!: number;
}

export class DelinquencyMonthSchema {
  @Month('2026-03') month!: string;
  @ApiProperty({ enum: BUCKETS, example: 'CURRENT' }) bucket!: string;
  @Int(2) accounts!: number;
  @Decimal('1558.70') outstanding!: string;
  @Decimal('0.00') overdue!: string;
  @ApiProperty({ type: OverdueByKindSchema, description: BY_KIND_DESCRIPTION }) byKind!: OverdueByKindSchema;
}

export class PortfolioSchema {
  @Day('2026-04-13', 'null before the first end of day', true) lastClosedBusinessDay!: string | null;
  @MapOf('integer', { ACTIVE: 2, REJECTED: 1 }, 'Accounts by status (APPROVED, ACTIVE, REJECTED, CLOSED); a status with none is left out') accountsByStatus!: Record<string, number>;
  @ApiProperty({ type: PortfolioOutstandingSchema, description: 'Everything owed across opened accounts, by kind' }) outstanding!: PortfolioOutstandingSchema;
  @ApiProperty({ type: PortfolioExposureSchema }) exposure!: PortfolioExposureSchema;
  @ApiProperty({ type: [DelinquencyBucketSchema], description: 'One row per bucket, CURRENT to M3+' }) delinquency!: DelinquencyBucketSchema[];
  @ApiProperty({ type: PortfolioFunnelSchema }) funnel!: PortfolioFunnelSchema;
  @ApiProperty({ type: [BilledMonthSchema], description: 'What each statement month billed, and what upheld disputes have given back of it since' }) billedByMonth!: BilledMonthSchema[];
  @ApiProperty({ type: DisputesSchema, description: 'Disputed draws (reported stolen or fraudulent): those open, and per month opened, upheld, rejected and reversed' }) disputes!: DisputesSchema;
  @ApiProperty({ type: [LimitChangesQuarterSchema] }) limitChangesByQuarter!: LimitChangesQuarterSchema[];
  @ApiProperty({ type: [LimitReviewReasonCountSchema], description: 'Reasons of the quarterly reviews, counted per quarter and decision' }) limitReviewReasons!: LimitReviewReasonCountSchema[];
  @ApiProperty({ type: [DelinquencyMonthSchema], description: "The buckets as they stood when each month's last day closed" }) delinquencyByMonth!: DelinquencyMonthSchema[];
}

/* ---------------------------------------------------- portfolio: risk views */

const SHARE = '^(0\\.\\d{4}|1\\.0000)$';

export class BucketFiguresSchema {
  @ApiProperty({ enum: BUCKETS, example: 'M1' }) bucket!: string;
  @Int(1) accounts!: number;
  @Decimal('1012.15', 'Everything they owe') outstanding!: string;
}

export class CohortShareSchema {
  @Int(1) accounts!: number;
  @Decimal('1012.15', 'Everything they owe') outstanding!: string;
  @ApiProperty({ type: String, pattern: SHARE, example: '0.2500', description: "Their share of the cohort's accounts at that month end, a decimal fraction rounded half up to 4 places (\"0.0000\" for a cohort of none)" }) share!: string;
}

export class VintageMonthEndSchema {
  @Month('2026-03', "The month whose last business day closed") month!: string;
  @Int(2, "month less the cohort's month: 0 at the end of the approval month") monthsOnBook!: number;
  @Int(4, 'The cohort\'s open accounts (active or closed, as the buckets count them): an account counts from the first month end it is activated at') accounts!: number;
  @Decimal('2031.72', 'Everything they owe') outstanding!: string;
  @ApiProperty({ type: [BucketFiguresSchema], description: 'Every bucket, CURRENT to M3+, zeros included' }) buckets!: BucketFiguresSchema[];
  @ApiProperty({ type: CohortShareSchema, description: 'The accounts past due: M1, M2, M3 and M3+' }) m1Plus!: CohortShareSchema;
  @ApiProperty({ type: CohortShareSchema, description: 'The accounts over 30 days past due: M2, M3 and M3+' }) m2Plus!: CohortShareSchema;
  @ApiProperty({ type: CohortShareSchema, description: 'The accounts in M3+: over 90 days past due (non-performing)' }) m3Plus!: CohortShareSchema;
}

export class VintageCohortSchema {
  @Month('2026-01', 'The approval month') cohort!: string;
  @ApiProperty({ type: [VintageMonthEndSchema], description: "One per month-end close from the first the cohort had an open account at, oldest first" }) monthEnds!: VintageMonthEndSchema[];
}

export class VintagesSchema {
  @Day('2026-04-30', 'null before the first end of day', true) lastClosedBusinessDay!: string | null;
  @ApiProperty({ type: [VintageCohortSchema], description: 'The cohorts of the range with an open account at a month end, oldest first' }) cohorts!: VintageCohortSchema[];
  @Int(0, 'The cohorts of the range that `last` left out, the older ones; 0 without it') olderCohorts!: number;
}

export class RollKindsSchema {
  @Int(1, 'Accounts whose oldest overdue began with a minimum not paid by its due date') MINIMUM_NOT_PAID!: number;
  @Int(0, 'Accounts whose oldest overdue began when a remainder had been carried past the 90 days minimums may carry it (91 days past due at once, so M3+, from CURRENT)') DEFERRAL_LIMIT_REACHED!: number;
}

export class RollCellSchema {
  @ApiProperty({ enum: BUCKETS, example: 'M2', description: 'The bucket at this month end' }) bucket!: string;
  @ApiProperty({ type: RollKindsSchema, description: "The cell's accounts by why their oldest overdue began (both zero in CURRENT): the roll from CURRENT to M3+ is the deferral limit's, not a missed minimum's" }) byKind!: RollKindsSchema;
  @Int(1) accounts!: number;
  @Decimal('1012.15', 'What they owe at this month end') outstanding!: string;
  @ApiProperty({ type: String, pattern: SHARE, example: '0.5000', description: "Their share of the row's accounts, a decimal fraction rounded half up to 4 places (\"0.0000\" in an empty row)" }) share!: string;
}

export class RollRowSchema {
  @ApiProperty({ enum: ['NEW', ...BUCKETS], example: 'M1', description: 'The bucket at the month end before; NEW for the accounts not open then' }) from!: string;
  @Int(2) accounts!: number;
  @Decimal('2031.72', 'What they owe at this month end') outstanding!: string;
  @ApiProperty({ type: [RollCellSchema], description: 'Every bucket, CURRENT to M3+, zeros included' }) to!: RollCellSchema[];
}

export class RollMonthSchema {
  @Month('2026-03', 'The month whose last business day closed') month!: string;
  @ApiProperty({ type: [RollRowSchema], description: 'NEW, then every bucket, CURRENT to M3+, zeros included' }) rows!: RollRowSchema[];
}

export class RollRatesSchema {
  @Day('2026-04-30', 'null before the first end of day', true) lastClosedBusinessDay!: string | null;
  @ApiProperty({ type: [RollMonthSchema], description: 'The month ends of the range, oldest first' }) months!: RollMonthSchema[];
}

/* ------------------------------------------------------ allocations (a union) */

export class StatementAllocationSchema {
  @ApiProperty({ enum: ['STATEMENT'] }) target!: 'STATEMENT';
  @Month('2026-03') statementId!: string;
  @ApiProperty({ enum: STATEMENT_COMPONENTS, example: 'INTEREST' }) component!: string;
  @Decimal('3.30') amount!: string;
}

export class UnbilledRevolvingAllocationSchema {
  @ApiProperty({ enum: ['UNBILLED_REVOLVING'] }) target!: 'UNBILLED_REVOLVING';
  @Decimal('50.00') amount!: string;
}

export class UnbilledInstallmentAllocationSchema {
  @ApiProperty({ enum: ['UNBILLED_INSTALLMENT'] }) target!: 'UNBILLED_INSTALLMENT';
  @ApiProperty({ example: 'B-sofa' }) planId!: string;
  @Int(2) period!: number;
  @Decimal('10.00') amount!: string;
}

/** The models referred to by `getSchemaPath` only (map values, union members): the controllers register them with `@ApiExtraModels`. */
export const READ_EXTRA_MODELS = [RestrictedReasonSchema, ChannelFunnelSchema, StatementAllocationSchema, UnbilledRevolvingAllocationSchema, UnbilledInstallmentAllocationSchema];

/** A list of allocation lines: each names by `target` where one slice of a repayment, refund or reversal went. */
function Allocations(description: string): PropertyDecorator {
  return ApiProperty({
    type: 'array',
    items: { oneOf: [StatementAllocationSchema, UnbilledRevolvingAllocationSchema, UnbilledInstallmentAllocationSchema].map((m) => ({ $ref: getSchemaPath(m) })) },
    description: `${description}; each line by \`target\`: STATEMENT (statementId, component), UNBILLED_REVOLVING, or UNBILLED_INSTALLMENT (planId, period)`,
  } as ApiPropertyOptions);
}

/* ------------------------------------------------------------------- history */

export class HistoryEntrySchema {
  @ApiProperty({ example: '3', description: 'Stream revision (0 is the first event), a decimal string' }) revision!: string;
  @ApiProperty({ example: '131', description: 'Global log position, a decimal string' }) position!: string;
  @ApiProperty({ format: 'uuid', example: '368901a5-4350-5119-bf91-e41002a00425' }) eventId!: string;
  @ApiProperty({ example: 'DrawPosted', description: 'The event type' }) type!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-03-20T01:00:00.000Z', description: 'When the event was recorded (wall clock)' }) recordedAt!: string | null;
  @Day('2026-03-20', 'The business date the event was recorded on', true) businessDate!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'operator:test-operator', description: 'role:name of the API key that sent the command, or the system process' }) actor!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'draw:A-1', description: "The id of the command that recorded the event, within the account (an Idempotency-Key's command is `key:<route>:<key>`)" }) commandId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'req-7f3a', description: "The request that sent the command: its X-Request-Id, which its log lines carry as reqId (end of day's own events carry the close's id)" }) correlationId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { on: '2026-03-20', drawId: 'A-1', amount: '400.00' }, description: "The event's data as recorded: its fields depend on `type`; amounts are decimal strings" })
  data!: Record<string, unknown>;
  @ApiProperty({ type: AccountViewSchema, description: "The account after this event, as of the event's business date" }) after!: AccountViewSchema;
}

/** What a replay went up to (`GET /accounts/{id}/history` and its statements): each way not asked for is null. */
export class ReplayedToSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-04-01T23:59:59.999+08:00', description: 'The moment replayed to (a bare date asked for is the end of that day); null unless asked for' }) asOf!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'The stream revision replayed to; null unless asked for' }) revision!: string | null;
  @Day('2026-03-31', 'The business day replayed to the close of; null unless asked for', true) businessDate!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'The log position replayed to; null unless asked for' }) position!: string | null;
  @Day('2026-04-13', 'The last business day closed by then (days past due count to the day after it)', true) lastClosedBusinessDay!: string | null;
}

export class AccountHistorySchema extends ReplayedToSchema {
  @ApiProperty({ type: [HistoryEntrySchema], description: 'The events replayed, in stream order' }) events!: HistoryEntrySchema[];
  @ApiProperty({ type: AccountViewSchema, nullable: true, description: 'The balances at the end of the replay, as GET /accounts/{id} shows them; null when the account did not exist yet' }) balances!: AccountViewSchema | null;
  @ApiProperty({ type: String, nullable: true, pattern: '^\\d+$', example: null, description: 'Asked for a page (fromRevision, limit): the revision the next page starts at, to pass as fromRevision; null on the last page, and when not paged' }) nextRevision!: string | null;
}

export class StatementsAtSchema extends ReplayedToSchema {
  @ApiProperty({ type: [StatementViewSchema], description: 'The statements issued by then, oldest first, each as GET /accounts/{id}/statements showed it then: status, paid and outstanding as they stood' })
  statements!: StatementViewSchema[];
}

/* ------------------------------------------------------------------ disputes */

export class DisputedStatementChargesSchema {
  @Month('2026-03') statementId!: string;
  @Decimal('1.8', "The draw's exact share of the statement's interest") interestShare!: string;
  @Decimal('1.80', 'Interest given back') interest!: string;
  @Decimal('0', "The draw's exact share of the statement's penalty interest") penaltyInterestShare!: string;
  @Decimal('0.00') penaltyInterest!: string;
  @Decimal('0.00') fees!: string;
}

export class DisputedDrawChargesSchema {
  @Decimal('1.80', 'Billed interest given back') interest!: string;
  @Decimal('0.00') penaltyInterest!: string;
  @Decimal('0.00', "Installment fees billed on the draw's plan") fees!: string;
  @Decimal('0', "The draw's exact share of the interest accrued since the last statement, which the next one leaves out") unbilledInterest!: string;
  @Decimal('0') unbilledPenaltyInterest!: string;
  @ApiProperty({ type: [DisputedStatementChargesSchema], description: 'Per statement that billed interest or fees on the draw' }) statements!: DisputedStatementChargesSchema[];
}

export class DrawBalanceSchema {
  @Month('2026-03') statementId!: string;
  @Decimal('301.80') amount!: string;
}

export class MinimumLowerSchema {
  @Month('2026-03') statementId!: string;
  @Decimal('75.63') from!: string;
  @Decimal('45.45') to!: string;
}

export class DisputedDrawMinimumsSchema {
  @ApiProperty({ type: [DrawBalanceSchema], description: "The draw's part of each statement's balance as issued" }) drawBalances!: DrawBalanceSchema[];
  @ApiProperty({ type: [MinimumLowerSchema], description: 'The open statements whose minimum the reversal lowers' }) lowered!: MinimumLowerSchema[];
}

export class DisputeReversalSchema {
  @Day('2026-04-01') on!: string;
  @Decimal('300.00', "What was left of the draw's principal") amount!: string;
  @ApiProperty({ type: DisputedDrawChargesSchema, nullable: true, description: 'Interest, penalty interest and fees given back; null for a reversal recorded before charges were reversed' }) charges!: DisputedDrawChargesSchema | null;
  @ApiProperty({ type: DisputedDrawMinimumsSchema, nullable: true, description: 'Minimums set again without the draw; null for a reversal recorded before minimums were' }) minimums!: DisputedDrawMinimumsSchema | null;
  @Allocations('What the reversal took off') appliedTo!: unknown[];
  @Decimal('1.80', 'What was already paid of it all: to be paid back to the customer') returnedToCustomer!: string;
}

export class DisputeSchema {
  @ApiProperty({ example: 'DP-1' }) disputeId!: string;
  @ApiProperty({ example: 'B-stolen', description: 'The draw (order id) disputed' }) drawId!: string;
  @ApiProperty({ example: 'not my purchase' }) reason!: string;
  @Day('2026-04-01') openedOn!: string;
  @ApiProperty({ enum: ['OPEN', 'UPHELD', 'REJECTED'], example: 'UPHELD' }) status!: string;
  @Day('2026-04-01', 'null while open', true) resolvedOn!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'confirmed fraud', description: "The resolution's note; null while open" }) note!: string | null;
  @ApiProperty({ type: DisputeReversalSchema, nullable: true, description: "An upheld dispute's reversal; null while open, when rejected, or when there was nothing to reverse" }) reversal!: DisputeReversalSchema | null;
}

export class DisputeListSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @ApiProperty({ type: [DisputeSchema], description: 'In the order opened' }) disputes!: DisputeSchema[];
}

/* ------------------------------------------------------ statement explanation */

export class ExplainedAccrualSchema {
  @Decimal('3.3', "Sum of the table's daily amounts, exact") sum!: string;
  @ApiProperty({ type: StatementAccrualSchema, description: 'What the statement records' }) statement!: StatementAccrualSchema;
  @ApiProperty({ description: "The statement's exact amount equals the sum, its `reversed` what the account held, and charged + residual equals exact - reversed" }) matches!: boolean;
}

export class ExplainedDrawSchema {
  @ApiProperty({ example: '3f2a…', description: 'The DrawPosted event' }) eventId!: string;
  @ApiProperty({ example: 'JD-20260314-001', description: "The merchant's order id: what a dispute, a refund or a conversion names" }) drawId!: string;
  @Day('2026-03-14') on!: string;
  @ApiProperty({ example: 'JD.com' }) merchant!: string;
  @Decimal('300.00') amount!: string;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'The installment plan it was converted to before the statement (its periods are billed, not the draw); null when it revolves' }) convertedTo!: string | null;
}

export class ExplainedPaymentSchema {
  @ApiProperty({ format: 'uuid', example: '66dc22d0-d130-5dbf-8999-6c4f670ddb70' }) eventId!: string;
  @ApiProperty({ enum: ['RepaymentReceived', 'DrawRefunded', 'DrawReversed'], example: 'RepaymentReceived' }) type!: string;
  @Day('2026-04-01') on!: string;
  @ApiProperty({ example: 'B-pay-1', description: "The repayment's reference, the refund id, or the dispute id" }) reference!: string;
  @Decimal('75.63', "A repayment's, a refund's, or a reversal's principal") amount!: string;
  @Decimal('0.00', 'What a reversal gives back of the charges its draw gave rise to ("0.00" otherwise)') chargesReversed!: string;
  @Decimal('0.00') returnedToCustomer!: string;
  @Allocations('Where it went') allocation!: unknown[];
}

export class MinimumLoweredSchema {
  @ApiProperty({ example: 'DP-1' }) disputeId!: string;
  @Day('2026-04-01') on!: string;
  @Decimal('75.63') from!: string;
  @Decimal('45.45') to!: string;
}

export class RoundingResidualSchema {
  @Decimal('0', 'Interest residual, exact') interest!: string;
  @Decimal('0', 'Penalty interest residual, exact') penaltyInterest!: string;
}

export class StatementExplanationSchema {
  @ApiProperty({ example: 'acc_1796d2e74ff020b52913' }) accountId!: string;
  @Month('2026-03') statementId!: string;
  @Day('2026-03-01') periodFrom!: string;
  @Day('2026-03-31') periodTo!: string;
  @Day('2026-04-10') dueDate!: string;
  @ApiProperty({ type: [AccrualDaySchema], description: "The daily interest table over the balance timeline the account had at the cut" }) days!: AccrualDaySchema[];
  @ApiProperty({ type: ExplainedAccrualSchema }) interest!: ExplainedAccrualSchema;
  @ApiProperty({ type: ExplainedAccrualSchema }) penaltyInterest!: ExplainedAccrualSchema;
  @ApiProperty({ type: [BilledInstallmentPeriodSchema] }) installmentPeriods!: BilledInstallmentPeriodSchema[];
  @ApiProperty({ description: "The periods the account's plans were due to bill at the cut equal the statement's" }) installmentPeriodsMatch!: boolean;
  @Decimal('3.00') fees!: string;
  @Decimal('550.00') revolvingPrincipal!: string;
  @Decimal('0.00') previousBalance!: string;
  @Decimal('756.30') statementBalance!: string;
  @Decimal('75.63', 'The minimum as issued') minimumRepayment!: string;
  @ApiProperty({ type: [MinimumLoweredSchema], description: "The upheld disputes that set this statement's minimum again without their draw, oldest first" }) minimumsLowered!: MinimumLoweredSchema[];
  @ApiProperty({ type: [ExplainedDrawSchema], description: 'The draws posted in the period, in the order they were posted' }) draws!: ExplainedDrawSchema[];
  @ApiProperty({ type: [ExplainedPaymentSchema], description: 'Repayments, refunds and reversals in the period, and any later one allocated to this statement' }) payments!: ExplainedPaymentSchema[];
  @ApiProperty({ type: RoundingResidualSchema }) roundingResidual!: RoundingResidualSchema;
}
