/**
 * The facts of a credit account's life, as stored. Payloads are explicit and versioned: every amount is
 * a decimal string (`Amount`, at most 2 decimals once posted; `ExactAmount` for unrounded accruals) and
 * every event carries `on`, the business date (Asia/Shanghai) from which the fact takes effect. Facts
 * recorded when business day D closes take effect on D + 1.
 */
import type { DelinquencyBucket } from '../terms/product-terms';
import type { IsoDate } from '../time/local-date';

/** A posted amount of CNY: a decimal string with exactly 2 decimals ("15.00"). */
export type Amount = string;
/** An exact amount that may carry more than 2 decimals (a daily accrual, a rounding residual). */
export type ExactAmount = string;
/** A rate as a decimal fraction string: "0.0005" is 0.05%. */
export type Rate = string;

export type ApplicationChannel = 'INVITED' | 'CUSTOMER_SERVICE';

export type RejectionReason =
  | 'IDENTITY_NOT_VERIFIED'
  | 'NOT_PRC_NATIONAL'
  | 'AGE_OUT_OF_RANGE'
  | 'PAY_SCORE_TOO_LOW'
  | 'INSUFFICIENT_ACTIVITY'
  | 'NO_DEBIT_CARD'
  | 'CREDIT_RECORD_DELINQUENT'
  | 'REAPPLY_TOO_SOON';

export type DeclineReason =
  | 'ACCOUNT_NOT_ACTIVE'
  | 'NIGHT_LOCK'
  | 'OVER_TRANSACTION_LIMIT'
  | 'FACE_VERIFICATION_REQUIRED'
  | 'AUTHENTICATION_FAILED'
  | 'INSUFFICIENT_CREDIT';

/** Why an account that exists is not usable for a draw. */
export type InactiveDetail = 'PENDING_ACTIVATION' | 'FROZEN_OVERDUE' | 'RISK_SUSPENDED' | 'PAYMENT_LOCKED' | 'CLOSED' | 'NOT_OPENED';

export type AuthMethod = 'PASSWORD' | 'FACE';
export type RepaymentChannel = 'MANUAL' | 'AUTO_DEBIT';
export type RiskReason = 'REMOTE_LOGIN' | 'HIGH_FREQUENCY_SPENDING' | 'OTHER';

export type StatementComponent =
  | 'PENALTY_INTEREST'
  | 'INTEREST'
  | 'FEES'
  | 'INSTALLMENT_PRINCIPAL'
  | 'REVOLVING_PRINCIPAL';

/** Where one slice of a repayment (or a refund) went. */
export type AllocationLine =
  | { target: 'STATEMENT'; statementId: string; component: StatementComponent; amount: Amount }
  | { target: 'UNBILLED_REVOLVING'; amount: Amount }
  | { target: 'UNBILLED_INSTALLMENT'; planId: string; period: number; amount: Amount };

/** The applicant as the application command gives it: the birth date comes from the ID number. */
export interface ApplicantSnapshot {
  /** Keyed hash of the ID number; the number itself never reaches an event. */
  idNumberHash: string;
  idNumberMasked: string;
  nameMasked: string;
  birthDate: IsoDate;
  nationality: string;
  payScore: number;
  paymentsLast6Months: number;
  identityVerified: { idCard: boolean; bankCard: boolean; phone: boolean };
  debitCard: { kind: 'DEBIT' | 'CREDIT'; last4: string } | null;
  creditRecord: { currentOverdue: boolean; severeDelinquency: boolean };
}

/**
 * The applicant as `ApplicationSubmitted` records it: the age on the day of the application instead of
 * the birth date. The masked ID number keeps its first three and last four characters, and with the
 * birth date beside it only the three region digits were left to guess, so the event would have held
 * the ID number to a couple of guesses. Events recorded before this carry `birthDate` instead of `age`.
 */
export type RecordedApplicant = Omit<ApplicantSnapshot, 'birthDate'> & { age: number } | ApplicantSnapshot;

export interface AccrualBreakdown {
  /** The month's exact sum of daily amounts. */
  exact: ExactAmount;
  /** What the statement charges: `exact - reversed` rounded half-up to the fen, once. */
  charged: Amount;
  /** exact - reversed - charged: the sub-fen difference, tracked rather than lost. */
  residual: ExactAmount;
  /**
   * The part of `exact` upheld disputes took off before billing: the disputed draws' exact share of the
   * month's accrual (`DrawReversed`'s `charges.unbilledInterest`). Absent when none; the statement
   * charges `exact - reversed` rounded half-up once.
   */
  reversed?: ExactAmount;
}

export interface BilledInstallmentPeriod {
  planId: string;
  period: number;
  principal: Amount;
  fee: Amount;
}

export type CreditAccountEvent =
  | { type: 'ApplicationSubmitted'; data: { accountId: string; on: IsoDate; channel: ApplicationChannel; applicant: RecordedApplicant; termsVersion: string } }
  /**
   * `ruleRevision`: the revision of the servicing rules the account is approved under (`RULE_REVISION`);
   * absent in approvals recorded before revisions were (revision 1). An account keeps the rules it was
   * approved under, so its recorded history replays to the same figures whatever the code's revision.
   */
  | { type: 'ApplicationApproved'; data: { on: IsoDate; limit: Amount; dailyRate: Rate; annualRate: Rate; penaltyDailyRate: Rate; payScore: number; termsVersion: string; ruleRevision?: number } }
  | { type: 'ApplicationRejected'; data: { on: IsoDate; reasons: RejectionReason[]; countsForReapply: boolean; termsVersion: string } }
  | { type: 'AccountActivated'; data: { on: IsoDate; agreementVersion: string; autoRepayCard: { last4: string } } }
  | { type: 'DrawPosted'; data: { on: IsoDate; at: string; drawId: string; merchant: string; amount: Amount; authMethod: AuthMethod } }
  | { type: 'DrawDeclined'; data: { on: IsoDate; at: string; orderId: string; merchant: string; amount: Amount; reason: DeclineReason; detail?: InactiveDetail; consecutiveAuthFailures: number } }
  | { type: 'PaymentLocked'; data: { on: IsoDate; consecutiveAuthFailures: number } }
  | { type: 'PaymentUnlocked'; data: { on: IsoDate; verifiedBy: 'FACE'; operator: string } }
  | { type: 'DrawRefunded'; data: { on: IsoDate; drawId: string; refundId: string; amount: Amount; appliedTo: AllocationLine[]; returnedToCustomer: Amount; feesWaived: Amount } }
  | { type: 'InstallmentPlanCreated'; data: { on: IsoDate; planId: string; drawId: string; principal: Amount; periods: number; monthlyFeeRate: Rate; feePerPeriod: Amount; schedule: { period: number; principal: Amount; fee: Amount }[]; apr: Rate; termsVersion: string } }
  /**
   * `feeKept`: the fee of the period in progress, which the next statement bills with the remainder as it
   * would have billed that period (PRODUCT.md §5: only future fees are waived), while any of the remainder
   * is owed then: a remainder repaid before the statement is a period prepaid to nothing, which carries no
   * fee (early repayment has no fee). Absent from payoffs recorded before it was kept, which billed none;
   * `evolve` reads the absence as 0.00, so those replay as recorded.
   */
  | { type: 'InstallmentPaidOffEarly'; data: { on: IsoDate; planId: string; principalAccelerated: Amount; feeKept?: Amount; feesWaived: Amount } }
  | { type: 'StatementIssued'; data: StatementIssuedData }
  | { type: 'AutoRepaymentRequested'; data: { on: IsoDate; statementId: string; amount: Amount; cardLast4: string } }
  | { type: 'AutoRepaymentFailed'; data: { on: IsoDate; statementId: string; reason: string } }
  | { type: 'RepaymentReceived'; data: { on: IsoDate; at: string; reference: string; amount: Amount; channel: RepaymentChannel; allocation: AllocationLine[]; returnedToCustomer: Amount } }
  | { type: 'MinimumRepaymentMet'; data: { on: IsoDate; statementId: string; byDueDate: boolean } }
  | { type: 'StatementDueDatePassed'; data: { on: IsoDate; statementId: string; minimumMet: boolean; unpaid: Amount } }
  | { type: 'AccountBecameOverdue'; data: { on: IsoDate; statementId: string; overdueAmount: Amount; kind: 'MINIMUM_NOT_PAID' | 'DEFERRAL_LIMIT_REACHED' } }
  | { type: 'AccountFrozen'; data: { on: IsoDate; reason: 'OVERDUE'; daysPastDue: number } }
  | { type: 'AccountUnfrozen'; data: { on: IsoDate; reason: 'OVERDUE_CURED' } }
  | { type: 'OverdueReported'; data: { on: IsoDate; daysPastDue: number; overdueAmount: Amount; statementIds: string[] } }
  | { type: 'DelinquencyBucketChanged'; data: { on: IsoDate; from: DelinquencyBucket; to: DelinquencyBucket; daysPastDue: number } }
  | { type: 'OverdueCured'; data: { on: IsoDate; statementId: string } }
  | { type: 'CreditLimitReviewed'; data: CreditLimitReviewedData }
  | { type: 'PayScoreUpdated'; data: { on: IsoDate; payScore: number } }
  | { type: 'TransactionControlsSet'; data: { on: IsoDate; singleTransactionLimit: Amount | null; nightLock: boolean } }
  | { type: 'AccountSuspended'; data: { on: IsoDate; reason: RiskReason; note: string } }
  | { type: 'SuspensionCleared'; data: { on: IsoDate; operator: string } }
  | { type: 'DisputeOpened'; data: { on: IsoDate; disputeId: string; drawId: string; reason: string } }
  | { type: 'DisputeResolved'; data: { on: IsoDate; disputeId: string; drawId: string; upheld: boolean; note: string } }
  | { type: 'DrawReversed'; data: DrawReversedData };

/**
 * An upheld dispute's reversal (全额赔付): what is left of the draw's principal (`amount`), like a full
 * refund, and the charges the draw itself gave rise to (`charges`). `appliedTo` takes both off what is
 * owed; `returnedToCustomer` is the part of either already paid. The statements' minimums are set again
 * without the draw (`minimums`). Reversals recorded before charges were reversed carry no `charges`, and
 * those recorded before minimums were set again no `minimums`.
 */
export interface DrawReversedData {
  on: IsoDate;
  drawId: string;
  disputeId: string;
  amount: Amount;
  appliedTo: AllocationLine[];
  returnedToCustomer: Amount;
  feesWaived: Amount;
  charges?: DisputedDrawCharges;
  minimums?: DisputedDrawMinimums;
}

/**
 * The minimums an upheld dispute sets again (`rules/dispute-minimums.ts`): billing's minimum on each
 * statement's balance less the parts of the draws reversed since it was issued (this one's among
 * them), and on the overdue amounts so set again.
 */
export interface DisputedDrawMinimums {
  /**
   * The draw's part of each statement's balance as issued: its principal still owed then, on that
   * statement and the ones before it, and the charges given back that were billed up to it.
   */
  drawBalances: { statementId: string; amount: Amount }[];
  /** The open statements whose minimum the reversal lowers. */
  lowered: { statementId: string; from: Amount; to: Amount }[];
}

/**
 * The interest, penalty interest and installment fees a disputed draw gave rise to, reversed with it.
 * A month's interest is the exact sum of daily amounts rounded once, so what a billed month gives back
 * is what the statement charged less what it would have charged without the draw's exact share (and
 * without the shares earlier reversals took): the account ends as if the draw had never borne interest.
 */
export interface DisputedDrawCharges {
  /** Billed interest reversed, over `statements`. */
  interest: Amount;
  penaltyInterest: Amount;
  /** The installment fees billed on the draw's plan. */
  fees: Amount;
  /** The draw's exact share of the interest accrued since the last statement, which the next one leaves out (`AccrualBreakdown.reversed`). */
  unbilledInterest: ExactAmount;
  unbilledPenaltyInterest: ExactAmount;
  /** Per statement that billed interest or fees on the draw: its exact shares and what it gives back. */
  statements: DisputedStatementCharges[];
}

export interface DisputedStatementCharges {
  statementId: string;
  interestShare: ExactAmount;
  interest: Amount;
  penaltyInterestShare: ExactAmount;
  penaltyInterest: Amount;
  fees: Amount;
}

export interface StatementIssuedData {
  on: IsoDate;
  statementId: string;
  periodFrom: IsoDate;
  periodTo: IsoDate;
  dueDate: IsoDate;
  /**
   * Draws of the period still revolving (not converted to installments); a plan closed before it billed
   * a period comes off by its principal only (`newDrawsStillRevolving` in rules/billing.ts).
   */
  newDraws: Amount;
  /** Refunds and reversals of the period. */
  refunds: Amount;
  /** Revolving principal billed on this statement (unbilled revolving principal owed at the cut). */
  revolvingPrincipal: Amount;
  installmentPeriods: BilledInstallmentPeriod[];
  interest: AccrualBreakdown;
  penaltyInterest: AccrualBreakdown;
  fees: Amount;
  /** Still owed from earlier statements at the cut. */
  previousBalance: Amount;
  /** Everything billed and still owed after this statement. */
  statementBalance: Amount;
  /** Overdue amounts of earlier statements still unpaid, included in the minimum. */
  overdueIncluded: Amount;
  minimumRepayment: Amount;
  termsVersion: string;
}

export interface CreditLimitReviewedData {
  on: IsoDate;
  quarter: string;
  inputs: {
    averageUtilization: string;
    overdueDays: number;
    /** Overdue episodes begun in the quarter (an overdue cured on its first day has 0 overdue days). */
    overdueEpisodes: number;
    statementsDue: number;
    statementsPaidOnTime: number;
    payScore: number;
    owed: Amount;
  };
  decision: 'INCREASED' | 'DECREASED' | 'UNCHANGED';
  reasons: string[];
  oldLimit: Amount;
  newLimit: Amount;
  oldDailyRate: Rate;
  newDailyRate: Rate;
  newPenaltyDailyRate: Rate;
  termsVersion: string;
}

export type CreditAccountEventType = CreditAccountEvent['type'];
export type EventOf<T extends CreditAccountEventType> = Extract<CreditAccountEvent, { type: T }>;
export type DataOf<T extends CreditAccountEventType> = EventOf<T>['data'];
