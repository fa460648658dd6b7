/**
 * The state of a credit account, folded from its events. Plain data (records, arrays, Money), so a
 * snapshot is a JSON round trip through `state-codec.ts`. Everything derivable (owed, available,
 * interest-bearing principal, days past due) is a function below, never a stored field that could drift.
 */
import { Money } from '../money/money';
import type { DelinquencyBucket } from '../terms/product-terms';
import type { AccrualSegment } from '../interest/accrual';
import type { IsoDate } from '../time/local-date';
import type { ApplicationChannel, RejectionReason, StatementComponent } from './credit-account.events';
import { emptySharded, ownValue, type ShardedRecord } from './sharded-record';

export type AccountStatus = 'NONE' | 'REJECTED' | 'APPROVED' | 'ACTIVE' | 'CLOSED';

export type Buckets = Record<StatementComponent, Money>;

export const COMPONENT_ORDER: StatementComponent[] = [
  'PENALTY_INTEREST',
  'INTEREST',
  'FEES',
  'INSTALLMENT_PRINCIPAL',
  'REVOLVING_PRINCIPAL',
];

export interface DrawState {
  drawId: string;
  merchant: string;
  amount: Money;
  postedOn: IsoDate;
  refunded: Money;
  refunds: Record<string, Money>;
  /** Posting order among the account's draws: "oldest first" must not depend on how ids sort. */
  seq: number;
  /**
   * The installment plan the draw was converted into, if it was. Where else its principal lives is
   * not kept here (`placementOf`): billing moves every unbilled draw at once, and writing each into
   * the shard it lives in made the statement day read and rewrite the account's draw history.
   */
  planId: string | null;
  reversedByDispute: string | null;
}

/** A draw not yet billed, and its share of the unbilled revolving principal (repayments reduce it oldest first). */
export interface UnbilledDraw {
  drawId: string;
  remaining: Money;
}

/** Where a draw's principal lives now. */
export type DrawPlacement =
  | { kind: 'UNBILLED'; remaining: Money }
  /** `statement`: the open statement that billed it, or null once that one is settled (or billed none of it). */
  | { kind: 'BILLED'; statement: StatementState | null }
  | { kind: 'INSTALLMENT'; planId: string };

/**
 * Where a draw's principal lives: in installments if it was converted, unbilled while the state lists it
 * so, else billed, on the open statement that holds a share of it if one does. A draw is billed on the
 * first statement after it posts, whole: what it then still owed is that statement's `billedDraws` entry.
 */
export function placementOf(state: CreditAccountState, draw: DrawState): DrawPlacement {
  if (draw.planId !== null) return { kind: 'INSTALLMENT', planId: draw.planId };
  const unbilled = state.unbilledDraws.find((d) => d.drawId === draw.drawId);
  if (unbilled) return { kind: 'UNBILLED', remaining: unbilled.remaining };
  return { kind: 'BILLED', statement: state.statements.find((st) => Object.hasOwn(st.billedDraws, draw.drawId)) ?? null };
}

export interface OrderRecord {
  outcome: 'POSTED' | 'DECLINED';
  amount: Money;
  merchant: string;
  reason?: string;
}

export interface PlanState {
  planId: string;
  drawId: string;
  principal: Money;
  periods: number;
  feePerPeriod: Money;
  monthlyFeeRate: string;
  apr: string;
  /** Unbilled principal still owed per period (index 0 = period 1), reduced by prepayment and refunds. */
  remaining: Money[];
  /** 1-based number of the next period to bill. */
  nextPeriod: number;
  /** Early payoff: the whole remainder is billed on the next statement, with no fee but `payoffFee`. */
  accelerated: boolean;
  /**
   * The fee of the period in progress at an early payoff, billed with the remainder. Absent when there is
   * none: the plan was not paid off, the period had been prepaid to nothing, or the payoff was recorded
   * before it was charged (an optional field whose absence means what states before it meant, so the
   * state version stays).
   */
  payoffFee?: Money;
  closed: boolean;
}

export interface StatementState {
  id: string;
  statementDate: IsoDate;
  dueDate: IsoDate;
  minimum: Money;
  repaidSinceIssue: Money;
  owed: Buckets;
  /** Revolving principal billed here per draw, still owed (sums to owed.REVOLVING_PRINCIPAL). */
  billedDraws: Record<string, Money>;
  /** Installment principal billed here per plan, still owed (sums to owed.INSTALLMENT_PRINCIPAL). */
  billedPlans: Record<string, Money>;
  minimumMet: boolean;
  dueDatePassed: boolean;
  minimumMetByDueDate: boolean | null;
  overdue: { since: IsoDate; kind: 'MINIMUM_NOT_PAID' | 'DEFERRAL_LIMIT_REACHED' } | null;
}

export interface QuarterStats {
  quarter: string;
  /** Days before `since` have been added to the sums below. */
  since: IsoDate;
  daysObserved: number;
  /** Sum over observed days of the end-of-day amount owed (exact). */
  owedDaysSum: Money;
  overdueDays: number;
  /** Overdue episodes that began in the quarter: counts an overdue cured on its first day too. */
  overdueEpisodes: number;
  statementsDue: number;
  statementsPaidOnTime: number;
  lastOwed: Money;
  lastOverdue: boolean;
}

export interface CreditAccountState {
  status: AccountStatus;
  accountId: string;
  channel: ApplicationChannel | null;
  holder: { idNumberHash: string; idNumberMasked: string; nameMasked: string } | null;
  /** The most recent rejection that restarts the reapply window (REAPPLY_TOO_SOON rejections do not). */
  lastCountedRejectionOn: IsoDate | null;
  lastRejectionReasons: RejectionReason[];
  termsVersion: string;
  /**
   * The servicing rules the account was approved under (`RULE_REVISION`). From revision 2, while a
   * statement is overdue the principal carried onto it from earlier statements bears penalty interest
   * too, and an overdue carried into a new quarter counts among that quarter's episodes. From revision
   * 3 a statement past its due date is let go of only once it and every statement before it are paid
   * off, and past its 90 days its whole remainder overdue is everything owed up to it
   * (`statementsHoldEarlierBalances`). A state read from a snapshot or fold row written before the field
   * existed has none: revision 1.
   */
  ruleRevision: number;
  payScore: number;
  limit: Money;
  dailyRate: string;
  penaltyDailyRate: string;
  approvedOn: IsoDate | null;
  activatedOn: IsoDate | null;
  agreementVersion: string | null;
  autoRepayCardLast4: string | null;
  frozenForOverdue: boolean;
  riskSuspended: boolean;
  paymentLocked: boolean;
  consecutiveAuthFailures: number;
  singleTransactionLimit: Money | null;
  nightLock: boolean;
  /** Every order id ever requested (idempotency), sharded: see `sharded-record.ts`. */
  orders: ShardedRecord<OrderRecord>;
  /** Every posted draw (refunds, disputes, installments), sharded the same way. */
  draws: ShardedRecord<DrawState>;
  unbilledRevolving: Money;
  /**
   * The draws not yet billed, oldest first, with their shares of the unbilled revolving principal.
   * Billing and repayments beyond the billed amount need them; finding them among every draw the
   * account ever had made both cost more each year, and so did keeping their shares in the draws'
   * shards, which billing then read and rewrote (state version 6).
   */
  unbilledDraws: UnbilledDraw[];
  cycle: { newDraws: Money; refunds: Money };
  plans: Record<string, PlanState>;
  /** Statements still owed, overdue or not yet due, oldest first. Settled ones drop out. */
  statements: StatementState[];
  lastStatementId: string | null;
  /**
   * Every repayment reference ever received, with its amount (idempotency), sharded as the orders are:
   * kept in the state's head, they were most of what made an old account's head cost more to read
   * (state version 6).
   */
  repayments: ShardedRecord<Money>;
  disputes: Record<string, { drawId: string; resolved: boolean; upheld: boolean | null }>;
  bucket: DelinquencyBucket;
  overdueReported: boolean;
  /**
   * The balance timeline since the last statement. `reversed`: the exact interest and penalty interest
   * of the period that upheld disputes took off (the disputed draws' shares), which the next statement
   * leaves out; absent when none (and in states written before disputes reversed charges).
   */
  accrual: { periodStart: IsoDate | null; segments: AccrualSegment[]; reversed?: { interest: Money; penaltyInterest: Money } };
  /**
   * What each statement's rounding left, summed over all statements: its accrual less what disputes took
   * off before it was issued, less what it charged (`AccrualBreakdown.residual`). A dispute giving back part
   * of a month already billed does not revise it.
   */
  roundingResidual: { interest: Money; penaltyInterest: Money };
  quarter: QuarterStats | null;
  lastReviewedQuarter: string | null;
  /** The latest business date any event took effect on. */
  lastOn: IsoDate | null;
}

export function zeroBuckets(): Buckets {
  return {
    PENALTY_INTEREST: Money.ZERO,
    INTEREST: Money.ZERO,
    FEES: Money.ZERO,
    INSTALLMENT_PRINCIPAL: Money.ZERO,
    REVOLVING_PRINCIPAL: Money.ZERO,
  };
}

export function initialState(accountId = ''): CreditAccountState {
  return {
    status: 'NONE',
    accountId,
    channel: null,
    holder: null,
    lastCountedRejectionOn: null,
    lastRejectionReasons: [],
    termsVersion: '',
    ruleRevision: 1,
    payScore: 0,
    limit: Money.ZERO,
    dailyRate: '0',
    penaltyDailyRate: '0',
    approvedOn: null,
    activatedOn: null,
    agreementVersion: null,
    autoRepayCardLast4: null,
    frozenForOverdue: false,
    riskSuspended: false,
    paymentLocked: false,
    consecutiveAuthFailures: 0,
    singleTransactionLimit: null,
    nightLock: false,
    orders: emptySharded(),
    draws: emptySharded(),
    unbilledRevolving: Money.ZERO,
    unbilledDraws: [],
    cycle: { newDraws: Money.ZERO, refunds: Money.ZERO },
    plans: {},
    statements: [],
    lastStatementId: null,
    repayments: emptySharded(),
    disputes: {},
    bucket: 'CURRENT',
    overdueReported: false,
    accrual: { periodStart: null, segments: [] },
    roundingResidual: { interest: Money.ZERO, penaltyInterest: Money.ZERO },
    quarter: null,
    lastReviewedQuarter: null,
    lastOn: null,
  };
}

/**
 * A shallow copy of a state. Every copy of a state is made by this one object literal, so that all states
 * share one hidden class in V8. Spread copies (`{ ...s, x }`, each made from the last) gave one account's
 * states up to 31 hidden classes: every spread then took the engine's slow path (about 1 µs for these 38
 * fields, against about 0.25 µs here), and every read of a state field (in `evolve`, the decisions, the
 * views and the projections) was megamorphic. A field added to the state must be added here; the compiler
 * refuses the literal until it is.
 */
export function copyState(s: CreditAccountState): CreditAccountState {
  return {
    status: s.status,
    accountId: s.accountId,
    channel: s.channel,
    holder: s.holder,
    lastCountedRejectionOn: s.lastCountedRejectionOn,
    lastRejectionReasons: s.lastRejectionReasons,
    termsVersion: s.termsVersion,
    ruleRevision: s.ruleRevision,
    payScore: s.payScore,
    limit: s.limit,
    dailyRate: s.dailyRate,
    penaltyDailyRate: s.penaltyDailyRate,
    approvedOn: s.approvedOn,
    activatedOn: s.activatedOn,
    agreementVersion: s.agreementVersion,
    autoRepayCardLast4: s.autoRepayCardLast4,
    frozenForOverdue: s.frozenForOverdue,
    riskSuspended: s.riskSuspended,
    paymentLocked: s.paymentLocked,
    consecutiveAuthFailures: s.consecutiveAuthFailures,
    singleTransactionLimit: s.singleTransactionLimit,
    nightLock: s.nightLock,
    orders: s.orders,
    draws: s.draws,
    unbilledRevolving: s.unbilledRevolving,
    unbilledDraws: s.unbilledDraws,
    cycle: s.cycle,
    plans: s.plans,
    statements: s.statements,
    lastStatementId: s.lastStatementId,
    repayments: s.repayments,
    disputes: s.disputes,
    bucket: s.bucket,
    overdueReported: s.overdueReported,
    accrual: s.accrual,
    roundingResidual: s.roundingResidual,
    quarter: s.quarter,
    lastReviewedQuarter: s.lastReviewedQuarter,
    lastOn: s.lastOn,
  };
}

/** `{ ...s, ...changes }`, made by `copyState` so the result keeps the one hidden class. */
export function copyWith(s: CreditAccountState, changes: Partial<CreditAccountState>): CreditAccountState {
  return Object.assign(copyState(s), changes);
}

/** `{ ...st, ...changes }` for a statement, by one object literal for the same reason as `copyState`. */
export function copyStatement(st: StatementState, changes: Partial<StatementState>): StatementState {
  return Object.assign(
    {
      id: st.id,
      statementDate: st.statementDate,
      dueDate: st.dueDate,
      minimum: st.minimum,
      repaidSinceIssue: st.repaidSinceIssue,
      owed: st.owed,
      billedDraws: st.billedDraws,
      billedPlans: st.billedPlans,
      minimumMet: st.minimumMet,
      dueDatePassed: st.dueDatePassed,
      minimumMetByDueDate: st.minimumMetByDueDate,
      overdue: st.overdue,
    },
    changes,
  );
}

/** `{ ...q, ...changes }` for the quarter's statistics, by one object literal for the same reason as `copyState`. */
export function copyQuarter(q: QuarterStats, changes: Partial<QuarterStats>): QuarterStats {
  return Object.assign(
    {
      quarter: q.quarter,
      since: q.since,
      daysObserved: q.daysObserved,
      owedDaysSum: q.owedDaysSum,
      overdueDays: q.overdueDays,
      overdueEpisodes: q.overdueEpisodes,
      statementsDue: q.statementsDue,
      statementsPaidOnTime: q.statementsPaidOnTime,
      lastOwed: q.lastOwed,
      lastOverdue: q.lastOverdue,
    },
    changes,
  );
}

/** The buckets with one of them replaced, by one object literal for the same reason as `copyState`. */
export function withBucket(b: Buckets, kind: keyof Buckets, amount: Money): Buckets {
  const next: Buckets = {
    PENALTY_INTEREST: b.PENALTY_INTEREST,
    INTEREST: b.INTEREST,
    FEES: b.FEES,
    INSTALLMENT_PRINCIPAL: b.INSTALLMENT_PRINCIPAL,
    REVOLVING_PRINCIPAL: b.REVOLVING_PRINCIPAL,
  };
  next[kind] = amount;
  return next;
}

export function bucketsTotal(b: Buckets): Money {
  return b.PENALTY_INTEREST.plus(b.INTEREST).plus(b.FEES).plus(b.INSTALLMENT_PRINCIPAL).plus(b.REVOLVING_PRINCIPAL);
}

/** The fee billing would charge on the plan's next period as scheduled: none on a period prepaid or refunded to nothing. */
export function planNextPeriodFee(plan: PlanState): Money {
  return plan.closed || plan.accelerated || plan.remaining[plan.nextPeriod - 1].isZero() ? Money.ZERO : plan.feePerPeriod;
}

export function planUnbilledPrincipal(plan: PlanState): Money {
  return plan.closed ? Money.ZERO : Money.sum(plan.remaining.slice(plan.nextPeriod - 1));
}

/**
 * The fees a plan would still bill as scheduled: one a period still to come whose principal is owed.
 * Billing charges no fee on a period prepaid or refunded to nothing, and on an accelerated remainder
 * only the payoff's fee while any of it is owed, so those are all the fees there are to waive.
 */
export function planUnbilledFees(plan: PlanState, remaining: readonly Money[] = plan.remaining): Money {
  if (plan.closed) return Money.ZERO;
  if (plan.accelerated) return plan.payoffFee !== undefined && remaining.some((r) => !r.isZero()) ? plan.payoffFee : Money.ZERO;
  let periods = 0;
  for (let period = plan.nextPeriod; period <= plan.periods; period++) if (!remaining[period - 1].isZero()) periods++;
  return plan.feePerPeriod.times(String(periods));
}

/** Everything billed and still owed, over all statements. */
export function billedOwed(state: CreditAccountState): Money {
  let total = Money.ZERO;
  for (const s of state.statements) total = total.plus(bucketsTotal(s.owed));
  return total;
}

export function unbilledInstallmentPrincipal(state: CreditAccountState): Money {
  let total = Money.ZERO;
  for (const id in state.plans) if (Object.hasOwn(state.plans, id)) total = total.plus(planUnbilledPrincipal(state.plans[id]));
  return total;
}

/**
 * All that is owed now: billed amounts, unbilled revolving principal and installment principal not yet
 * billed. A caller that has already summed the statements passes that sum as `billed`.
 */
export function totalOwed(state: CreditAccountState, billed: Money = billedOwed(state)): Money {
  return billed.plus(state.unbilledRevolving).plus(unbilledInstallmentPrincipal(state));
}

/** Available credit = limit - everything owed (including future installment principal), never below zero. */
export function availableCredit(state: CreditAccountState, owed: Money = totalOwed(state)): Money {
  return Money.max(Money.ZERO, state.limit.minus(owed));
}

/**
 * Interest-bearing principal at the current moment (PRODUCT.md §4): revolving principal owed, billed or
 * not, plus billed installment principal unpaid after its due date. The principal of an overdue
 * statement, and from rule revision 2 the principal it carries from earlier statements, bears penalty
 * interest instead of normal interest, never both.
 */
export function interestBearingPrincipal(state: CreditAccountState, sums: StatementSums = statementSums(state.statements, carriedBearsPenalty(state))): { normal: Money; penalty: Money } {
  return { normal: state.unbilledRevolving.plus(sums.normalPrincipal), penalty: sums.penaltyPrincipal };
}

/** What the statements add up to, in one pass; `evolve` needs all of it after every event. */
export interface StatementSums {
  /** Everything billed and still owed (`billedOwed`). */
  billed: Money;
  /** Whether any statement is overdue (`isOverdue`). */
  overdue: boolean;
  /** Billed principal bearing normal interest: revolving, and installment after its due date, on the statements `penaltyPrincipal` leaves. */
  normalPrincipal: Money;
  /**
   * Billed principal bearing penalty interest instead: all of it, on overdue statements, and with
   * `carried` on the statements before the newest overdue one too.
   */
  penaltyPrincipal: Money;
}

/** The revision of the servicing rules new approvals record (`CreditAccountState.ruleRevision`). */
export const RULE_REVISION = 3;

/**
 * Whether a statement holds the unpaid balance of the statements before it (PRODUCT.md §6) in what is
 * settled and what is overdue (rule revision 3):
 * - a statement past its due date is let go of only once nothing billed up to it is owed, as settlement
 *   counts it paid (`withSettlementFollowUps`), rather than once its own charges are paid. Under
 *   revisions 1 and 2 a statement with nothing of its own owed (what an interest-only remainder leaves
 *   the next month) was dropped at its due date, before the overdue of its unpaid minimum (which includes
 *   the earlier statements' overdue amounts) could be recorded: the account showed the older, smaller
 *   overdue amount, and paying that cured it (§8);
 * - past its 90 days, a statement's "whole unpaid remainder" overdue is everything owed up to it, not its
 *   own charges alone: with two statements past their 90 days the account's overdue amount was the larger
 *   of their own remainders, and paying it left the other overdue (§8: "Paying the overdue amount cures it").
 */
export function statementsHoldEarlierBalances(state: CreditAccountState): boolean {
  return state.ruleRevision >= 3;
}

/**
 * Whether the principal an overdue statement carries from earlier statements bears penalty interest
 * (rule revision 2). A statement holds "any unpaid balance of earlier statements" (PRODUCT.md §6), and
 * while it is overdue "its unpaid principal bears penalty interest" (§8): a January remainder carried by
 * paying January's minimum is part of February's balance, and of what is overdue when February's minimum
 * is missed, though January itself is within its 90 days.
 */
export function carriedBearsPenalty(state: CreditAccountState): boolean {
  return state.ruleRevision >= 2;
}

/**
 * Whether an overdue a quarter starts in counts among that quarter's episodes (rule revision 2): the
 * account was overdue on the quarter's first day, even if it pays that day, as an overdue day would count.
 */
export function quarterCountsOverdueCarriedIn(state: CreditAccountState): boolean {
  return state.ruleRevision >= 2 && isOverdue(state);
}

/**
 * One draw's part of the interest-bearing principal now (`interestBearingPrincipal`, read per draw as
 * `statementSums` reads the statements): unbilled, billed on a statement (penalty where that statement's
 * principal bears penalty), or, once converted, its plan's billed periods past their due date. Over all
 * draws the parts add up to the account's.
 */
export function drawBearingPrincipal(state: CreditAccountState, draw: DrawState): { normal: Money; penalty: Money } {
  let normal = Money.ZERO;
  let penalty = Money.ZERO;
  const statements = state.statements;
  const carriedUpTo = carriedPenaltyUpTo(statements, carriedBearsPenalty(state));
  if (draw.planId === null) {
    const unbilled = state.unbilledDraws.find((d) => d.drawId === draw.drawId);
    if (unbilled) normal = normal.plus(unbilled.remaining);
  }
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    const billed = draw.planId === null ? ownValue(s.billedDraws, draw.drawId) : ownValue(s.billedPlans, draw.planId);
    if (!billed) continue;
    if (s.overdue || i < carriedUpTo) penalty = penalty.plus(billed);
    else if (draw.planId === null || s.dueDatePassed) normal = normal.plus(billed);
  }
  return { normal, penalty };
}

/**
 * The statements before this index bear penalty interest on their principal as carried by an overdue one:
 * statements are oldest first, and with `carried` every one up to the newest overdue one bears it (-1:
 * none). An overdue statement's own principal bears it in any case.
 */
function carriedPenaltyUpTo(statements: readonly StatementState[], carried: boolean): number {
  if (carried) for (let i = statements.length - 1; i >= 0; i--) if (statements[i].overdue) return i;
  return -1;
}

export function statementSums(statements: readonly StatementState[], carried = false): StatementSums {
  let billed = Money.ZERO;
  let overdue = false;
  let normalPrincipal = Money.ZERO;
  let penaltyPrincipal = Money.ZERO;
  const carriedUpTo = carriedPenaltyUpTo(statements, carried);
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    billed = billed.plus(bucketsTotal(s.owed));
    if (s.overdue) overdue = true;
    if (s.overdue || i < carriedUpTo) {
      penaltyPrincipal = penaltyPrincipal.plus(s.owed.REVOLVING_PRINCIPAL).plus(s.owed.INSTALLMENT_PRINCIPAL);
    } else {
      normalPrincipal = normalPrincipal.plus(s.owed.REVOLVING_PRINCIPAL);
      if (s.dueDatePassed) normalPrincipal = normalPrincipal.plus(s.owed.INSTALLMENT_PRINCIPAL);
    }
  }
  return { billed, overdue, normalPrincipal, penaltyPrincipal };
}

/**
 * What is overdue on one statement: its unpaid minimum, or its whole remainder after the deferral limit,
 * never more than is still owed on it and the statements before it (`owedUpTo`): a refund can leave
 * less owed than the unpaid minimum. The remainder is all of `owedUpTo` when the statement holds the
 * earlier ones' balances (`statementsHoldEarlierBalances`, rule revision 3), else its own charges
 * (`ownOwed`: what it owes; an upheld dispute asks it without the reversed draws, `rules/dispute-minimums.ts`).
 */
export function statementOverdueAmount(s: StatementState, owedUpTo: Money, holdsEarlier: boolean, ownOwed: Money = bucketsTotal(s.owed)): Money {
  if (!s.overdue) return Money.ZERO;
  if (s.overdue.kind === 'DEFERRAL_LIMIT_REACHED') return holdsEarlier ? owedUpTo : ownOwed;
  return Money.min(owedUpTo, Money.max(Money.ZERO, s.minimum.minus(s.repaidSinceIssue)));
}

/**
 * The account's overdue amount. A later statement's minimum already includes the unpaid overdue amounts
 * of earlier ones, so the amounts overlap; the largest is the amount that cures every statement.
 */
export function overdueAmount(state: CreditAccountState): Money {
  const holdsEarlier = statementsHoldEarlierBalances(state);
  let largest = Money.ZERO;
  // Everything billed and still owed on this statement and the ones before it.
  let owedUpTo = Money.ZERO;
  for (const s of state.statements) {
    owedUpTo = owedUpTo.plus(bucketsTotal(s.owed));
    largest = Money.max(largest, statementOverdueAmount(s, owedUpTo, holdsEarlier));
  }
  return largest;
}

export function isOverdue(state: CreditAccountState): boolean {
  return state.statements.some((s) => s.overdue !== null);
}

/** The first day of the oldest overdue episode still open (day 1 past due), or null. */
export function overdueSince(state: CreditAccountState): IsoDate | null {
  return oldestOverdue(state)?.since ?? null;
}

/** Why an account is overdue, as risk reads it (`overdueOrigin`). */
export const OVERDUE_ORIGINS = ['MINIMUM_NOT_PAID', 'DEFERRAL_LIMIT_REACHED'] as const;
export type OverdueOrigin = (typeof OVERDUE_ORIGINS)[number];

/**
 * Why the oldest overdue episode still open began, as risk reads it: MINIMUM_NOT_PAID when its
 * statement's minimum was not met by its due date, DEFERRAL_LIMIT_REACHED when it was and the
 * statement's remainder was carried past the 90 days minimums may carry it; null when current.
 *
 * Not the statement's own `overdue.kind`, which says how much of it is overdue now: at the end of the
 * 90 days a statement whose minimum was missed turns DEFERRAL_LIMIT_REACHED too (its whole remainder
 * overdue), on the day it reaches 91 days past due, so at M3+ that kind no longer tells the two apart.
 * A missed minimum paid late (the overdue cured) whose remainder then reached the 90 days' end counts
 * as MINIMUM_NOT_PAID: its minimum was not met by the due date.
 */
export function overdueOrigin(state: CreditAccountState): OverdueOrigin | null {
  const oldest = oldestOverdueStatement(state);
  if (oldest === null) return null;
  return oldest.overdue.kind === 'MINIMUM_NOT_PAID' || oldest.minimumMetByDueDate === false ? 'MINIMUM_NOT_PAID' : 'DEFERRAL_LIMIT_REACHED';
}

/**
 * The oldest overdue episode still open: its first day and why it began (a minimum not paid by its due
 * date, or a remainder carried past the 90 days minimums may carry it), or null. The first statement
 * of the oldest day decides where two began the same day.
 */
export function oldestOverdue(state: CreditAccountState): NonNullable<StatementState['overdue']> | null {
  return oldestOverdueStatement(state)?.overdue ?? null;
}

/** The statement of the oldest overdue episode still open (the first of the oldest day), or null. */
function oldestOverdueStatement(state: CreditAccountState): (StatementState & { overdue: NonNullable<StatementState['overdue']> }) | null {
  let oldest: (StatementState & { overdue: NonNullable<StatementState['overdue']> }) | null = null;
  for (const s of state.statements) if (s.overdue && (oldest === null || s.overdue.since < oldest.overdue.since)) oldest = s as StatementState & { overdue: NonNullable<StatementState['overdue']> };
  return oldest;
}
