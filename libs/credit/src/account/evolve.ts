/**
 * evolve(state, event) -> state: applies a fact, mechanically. It never decides anything (decisions and
 * their numbers are in the event) and never mutates its input: containers it touches are copied.
 * After each event it brings the balance timeline up to date: the interest accrual segments and the
 * quarter's utilization and overdue-day sums, both keyed by the event's business date.
 */
import { Dec, Money } from '../money/money';
import { addDays, daysBetween, quarterOf } from '../time/local-date';
import { segmentsFrom, withSegment } from '../interest/accrual';
import type { AllocationLine, CreditAccountEvent, DataOf, DisputedDrawCharges, DisputedDrawMinimums } from './credit-account.events';
import { copyRecord, getEntry, sizeOf, withEntry } from './sharded-record';
import {
  bucketsTotal,
  copyQuarter,
  carriedBearsPenalty,
  quarterCountsOverdueCarriedIn,
  copyState,
  copyStatement,
  copyWith,
  type CreditAccountState,
  type PlanState,
  type QuarterStats,
  type StatementState,
  type UnbilledDraw,
  interestBearingPrincipal,
  isOverdue,
  statementsHoldEarlierBalances,
  statementSums,
  totalOwed,
  withBucket,
  zeroBuckets,
} from './credit-account.state';

export function evolve(state: CreditAccountState, event: CreditAccountEvent): CreditAccountState {
  const on = event.data.on;
  const quarter = accumulateQuarter(state.quarter, on);
  const before = quarter === state.quarter ? state : copyWith(state, { quarter });
  const applied = apply(before, event);
  // `apply` copies the state whenever it changes anything, so a result other than `state` is a copy
  // made for this event, which no one else holds yet: `afterEvent` may fill it in instead of copying it again.
  return afterEvent(applied === state ? copyState(state) : applied, on);
}

/** Folds a sequence of events from a starting state (the initial state or a snapshot). */
export function fold(state: CreditAccountState, events: Iterable<CreditAccountEvent>): CreditAccountState {
  let current = state;
  for (const e of events) current = evolve(current, e);
  return current;
}

function apply(s: CreditAccountState, event: CreditAccountEvent): CreditAccountState {
  switch (event.type) {
    case 'ApplicationSubmitted': {
      const { applicant } = event.data;
      return copyWith(s, {
        accountId: event.data.accountId,
        channel: event.data.channel,
        holder: { idNumberHash: applicant.idNumberHash, idNumberMasked: applicant.idNumberMasked, nameMasked: applicant.nameMasked },
        payScore: applicant.payScore,
        termsVersion: event.data.termsVersion,
      });
    }
    case 'ApplicationApproved':
      return copyWith(s, {
        status: 'APPROVED',
        limit: Money.of(event.data.limit),
        dailyRate: event.data.dailyRate,
        penaltyDailyRate: event.data.penaltyDailyRate,
        payScore: event.data.payScore,
        approvedOn: event.data.on,
        termsVersion: event.data.termsVersion,
        ruleRevision: event.data.ruleRevision ?? 1,
      });
    case 'ApplicationRejected':
      return copyWith(s, {
        status: 'REJECTED',
        lastRejectionReasons: event.data.reasons,
        lastCountedRejectionOn: event.data.countsForReapply ? event.data.on : s.lastCountedRejectionOn,
      });
    case 'AccountActivated':
      return copyWith(s, {
        status: 'ACTIVE',
        activatedOn: event.data.on,
        agreementVersion: event.data.agreementVersion,
        autoRepayCardLast4: event.data.autoRepayCard.last4,
        accrual: { periodStart: event.data.on, segments: [] },
        quarter: newQuarter(quarterOf(event.data.on), event.data.on, s),
      });
    case 'DrawPosted': {
      const d = event.data;
      const amount = Money.of(d.amount);
      return copyWith(s, {
        orders: withEntry(s.orders, d.drawId, { outcome: 'POSTED', amount, merchant: d.merchant }),
        draws: withEntry(s.draws, d.drawId, {
          drawId: d.drawId,
          merchant: d.merchant,
          amount,
          postedOn: d.on,
          refunded: Money.ZERO,
          refunds: {},
          seq: sizeOf(s.draws),
          planId: null,
          reversedByDispute: null,
        }),
        unbilledRevolving: s.unbilledRevolving.plus(amount),
        unbilledDraws: [...s.unbilledDraws, { drawId: d.drawId, remaining: amount }],
        cycle: { newDraws: s.cycle.newDraws.plus(amount), refunds: s.cycle.refunds },
        consecutiveAuthFailures: 0,
      });
    }
    case 'DrawDeclined': {
      const d = event.data;
      return copyWith(s, {
        orders: withEntry(s.orders, d.orderId, { outcome: 'DECLINED', amount: Money.of(d.amount), merchant: d.merchant, reason: d.reason }),
        consecutiveAuthFailures: d.consecutiveAuthFailures,
      });
    }
    case 'PaymentLocked':
      return copyWith(s, { paymentLocked: true });
    case 'PaymentUnlocked':
      return copyWith(s, { paymentLocked: false, consecutiveAuthFailures: 0 });
    case 'DrawRefunded':
      return applyRefund(s, event.data, event.data.refundId, null);
    case 'DrawReversed':
      return withMinimumsLowered(withUnbilledReversed(applyRefund(s, event.data, null, event.data.disputeId), event.data.charges), event.data.minimums);
    case 'InstallmentPlanCreated': {
      const d = event.data;
      const principal = Money.of(d.principal);
      const draw = getEntry(s.draws, d.drawId)!;
      const plan: PlanState = {
        planId: d.planId,
        drawId: d.drawId,
        principal,
        periods: d.periods,
        feePerPeriod: Money.of(d.feePerPeriod),
        monthlyFeeRate: d.monthlyFeeRate,
        apr: d.apr,
        remaining: d.schedule.map((p) => Money.of(p.principal)),
        nextPeriod: 1,
        accelerated: false,
        closed: false,
      };
      return copyWith(s, {
        plans: { ...s.plans, [d.planId]: plan },
        draws: withEntry(s.draws, d.drawId, { ...draw, planId: d.planId }),
        unbilledRevolving: s.unbilledRevolving.minus(principal),
        unbilledDraws: s.unbilledDraws.filter((u) => u.drawId !== d.drawId),
        cycle: { newDraws: s.cycle.newDraws.minus(principal), refunds: s.cycle.refunds },
      });
    }
    case 'InstallmentPaidOffEarly': {
      const { planId, feeKept } = event.data;
      const plan: PlanState = { ...s.plans[planId], accelerated: true };
      if (feeKept !== undefined && feeKept !== '0.00') plan.payoffFee = Money.of(feeKept);
      return copyWith(s, { plans: { ...s.plans, [planId]: plan } });
    }
    case 'StatementIssued':
      return applyStatement(s, event.data);
    case 'AutoRepaymentRequested':
    case 'AutoRepaymentFailed':
      return s;
    case 'RepaymentReceived': {
      const d = event.data;
      const paid = Money.of(d.amount).minus(Money.of(d.returnedToCustomer));
      const withRepaid = copyWith(s, {
        repayments: withEntry(s.repayments, d.reference, Money.of(d.amount)),
        statements: s.statements.map((st) => copyStatement(st, { repaidSinceIssue: st.repaidSinceIssue.plus(paid) })),
      });
      return applyLines(withRepaid, d.allocation, null, null);
    }
    case 'MinimumRepaymentMet':
      return updateStatement(s, event.data.statementId, (st) => copyStatement(st, { minimumMet: true }));
    case 'StatementDueDatePassed': {
      const d = event.data;
      const updated = updateStatement(s, d.statementId, (st) => copyStatement(st, { dueDatePassed: true, minimumMetByDueDate: d.minimumMet }));
      const q = updated.quarter;
      return q
        ? copyWith(updated, { quarter: copyQuarter(q, { statementsDue: q.statementsDue + 1, statementsPaidOnTime: q.statementsPaidOnTime + (d.minimumMet ? 1 : 0) }) })
        : updated;
    }
    case 'AccountBecameOverdue': {
      const statement = s.statements.find((st) => st.id === event.data.statementId);
      const newlyOverdue = !isOverdue(s);
      // Days past due count from the day after the due date (PRODUCT.md §8), also when the deferral
      // limit, not a missed minimum, is what made the statement overdue.
      const since = statement?.overdue?.since ?? (event.data.kind === 'DEFERRAL_LIMIT_REACHED' && statement ? addDays(statement.dueDate, 1) : event.data.on);
      const next = updateStatement(s, event.data.statementId, (st) => copyStatement(st, { overdue: { since, kind: event.data.kind } }));
      return newlyOverdue && next.quarter ? copyWith(next, { quarter: copyQuarter(next.quarter, { overdueEpisodes: next.quarter.overdueEpisodes + 1 }) }) : next;
    }
    case 'OverdueCured':
      return updateStatement(s, event.data.statementId, (st) => copyStatement(st, { overdue: null }));
    case 'AccountFrozen':
      return copyWith(s, { frozenForOverdue: true });
    case 'AccountUnfrozen':
      return copyWith(s, { frozenForOverdue: false });
    case 'OverdueReported':
      return copyWith(s, { overdueReported: true });
    case 'DelinquencyBucketChanged':
      return copyWith(s, { bucket: event.data.to, overdueReported: event.data.to === 'CURRENT' ? false : s.overdueReported });
    case 'CreditLimitReviewed': {
      const d = event.data;
      const next = copyWith(s, { limit: Money.of(d.newLimit), dailyRate: d.newDailyRate, penaltyDailyRate: d.newPenaltyDailyRate, lastReviewedQuarter: d.quarter });
      // `next` is this event's own copy: its quarter starts over from the reviewed figures.
      next.quarter = newQuarter(quarterOf(d.on), d.on, next);
      return next;
    }
    case 'PayScoreUpdated':
      return copyWith(s, { payScore: event.data.payScore });
    case 'TransactionControlsSet':
      return copyWith(s, {
        singleTransactionLimit: event.data.singleTransactionLimit === null ? null : Money.of(event.data.singleTransactionLimit),
        nightLock: event.data.nightLock,
      });
    case 'AccountSuspended':
      return copyWith(s, { riskSuspended: true });
    case 'SuspensionCleared':
      return copyWith(s, { riskSuspended: false });
    case 'DisputeOpened':
      return copyWith(s, { disputes: { ...s.disputes, [event.data.disputeId]: { drawId: event.data.drawId, resolved: false, upheld: null } } });
    case 'DisputeResolved':
      return copyWith(s, { disputes: { ...s.disputes, [event.data.disputeId]: { drawId: event.data.drawId, resolved: true, upheld: event.data.upheld } } });
    default:
      return assertNever(event);
  }
}

function applyStatement(s: CreditAccountState, d: DataOf<'StatementIssued'>): CreditAccountState {
  // Keyed by ids, so built in dictionary mode (`copyRecord`). Built as `{}`, a draw id `__proto__` set the
  // object's prototype instead of a key; the API refuses such ids (`ID_PATTERN`), so no stored state holds
  // one and the state version stays.
  // The draws themselves are not touched: billing them is their leaving `unbilledDraws` (`placementOf`).
  const billedDraws = copyRecord<Money>(null);
  for (const draw of s.unbilledDraws) if (draw.remaining.isPositive()) billedDraws[draw.drawId] = draw.remaining;
  const plans = { ...s.plans };
  const billedPlans = copyRecord<Money>(null);
  for (const period of d.installmentPeriods) {
    const plan = plans[period.planId];
    billedPlans[period.planId] = (billedPlans[period.planId] ?? Money.ZERO).plus(Money.of(period.principal));
    const remaining = plan.remaining.map((r, i) => (plan.accelerated || i === period.period - 1 ? Money.ZERO : r));
    const nextPeriod = plan.accelerated ? plan.periods + 1 : period.period + 1;
    // Nothing left to bill (refunded or prepaid) closes the plan: no more periods, no more fees.
    const closed = nextPeriod > plan.periods || remaining.slice(nextPeriod - 1).every((r) => r.isZero());
    plans[period.planId] = { ...plan, remaining, nextPeriod, closed };
  }
  const owed = zeroBuckets();
  owed.PENALTY_INTEREST = Money.of(d.penaltyInterest.charged);
  owed.INTEREST = Money.of(d.interest.charged);
  owed.FEES = Money.of(d.fees);
  owed.INSTALLMENT_PRINCIPAL = Money.sum(Object.values(billedPlans));
  owed.REVOLVING_PRINCIPAL = Money.of(d.revolvingPrincipal);
  const statement: StatementState = {
    id: d.statementId,
    statementDate: d.on,
    dueDate: d.dueDate,
    minimum: Money.of(d.minimumRepayment),
    repaidSinceIssue: Money.ZERO,
    owed,
    billedDraws,
    billedPlans,
    minimumMet: false,
    dueDatePassed: false,
    minimumMetByDueDate: null,
    overdue: null,
  };
  return copyWith(s, {
    plans,
    unbilledRevolving: Money.ZERO,
    unbilledDraws: [],
    cycle: { newDraws: Money.ZERO, refunds: Money.ZERO },
    statements: [...s.statements, statement],
    lastStatementId: d.statementId,
    accrual: { periodStart: d.on, segments: segmentsFrom(s.accrual.segments, d.on) },
    roundingResidual: {
      interest: s.roundingResidual.interest.plus(Money.exact(d.interest.residual)),
      penaltyInterest: s.roundingResidual.penaltyInterest.plus(Money.exact(d.penaltyInterest.residual)),
    },
  });
}

/** Adds a reversal's share of the interest accrued since the last statement to what the next one leaves out. */
function withUnbilledReversed(s: CreditAccountState, charges: DisputedDrawCharges | undefined): CreditAccountState {
  if (!charges) return s;
  const interest = Money.exact(charges.unbilledInterest);
  const penaltyInterest = Money.exact(charges.unbilledPenaltyInterest);
  if (interest.isZero() && penaltyInterest.isZero()) return s;
  const before = s.accrual.reversed ?? { interest: Money.ZERO, penaltyInterest: Money.ZERO };
  const reversed = { interest: before.interest.plus(interest), penaltyInterest: before.penaltyInterest.plus(penaltyInterest) };
  return copyWith(s, { accrual: { periodStart: s.accrual.periodStart, segments: s.accrual.segments, reversed } });
}

function withMinimumsLowered(s: CreditAccountState, minimums: DisputedDrawMinimums | undefined): CreditAccountState {
  let next = s;
  for (const { statementId, to } of minimums?.lowered ?? []) next = updateStatement(next, statementId, (st) => copyStatement(st, { minimum: Money.of(to) }));
  return next;
}

function applyRefund(
  s: CreditAccountState,
  d: { drawId: string; amount: string; appliedTo: AllocationLine[] },
  refundId: string | null,
  disputeId: string | null,
): CreditAccountState {
  const draw = getEntry(s.draws, d.drawId)!;
  const amount = Money.of(d.amount);
  const updatedDraw = {
    ...draw,
    refunded: draw.refunded.plus(amount),
    refunds: refundId ? { ...draw.refunds, [refundId]: amount } : draw.refunds,
    reversedByDispute: disputeId ?? draw.reversedByDispute,
  };
  const next = copyWith(s, { draws: withEntry(s.draws, d.drawId, updatedDraw), cycle: { newDraws: s.cycle.newDraws, refunds: s.cycle.refunds.plus(amount) } });
  return applyLines(next, d.appliedTo, d.drawId, draw.planId);
}

/**
 * Reduces what is owed by allocation lines. A refund names its draw (and plan); a repayment names
 * neither, so its revolving principal reduces the draws of a statement oldest first.
 */
function applyLines(s: CreditAccountState, lines: AllocationLine[], drawId: string | null, planId: string | null): CreditAccountState {
  let next = s;
  for (const line of lines) {
    const amount = Money.of(line.amount);
    if (line.target === 'UNBILLED_REVOLVING') {
      next = copyWith(next, { unbilledRevolving: next.unbilledRevolving.minus(amount), unbilledDraws: reduceUnbilledDraws(next.unbilledDraws, amount, drawId) });
    } else if (line.target === 'UNBILLED_INSTALLMENT') {
      const plan = next.plans[line.planId];
      const remaining = plan.remaining.map((r, i) => (i === line.period - 1 ? r.minus(amount) : r));
      const closed = remaining.slice(plan.nextPeriod - 1).every((r) => r.isZero());
      next = copyWith(next, { plans: { ...next.plans, [line.planId]: { ...plan, remaining, closed } } });
    } else {
      const byPosting = postingOrder(next);
      next = updateStatement(next, line.statementId, (st) => {
        const owed = withBucket(st.owed, line.component, st.owed[line.component].minus(amount));
        if (line.component === 'REVOLVING_PRINCIPAL') return copyStatement(st, { owed, billedDraws: reduceShares(st.billedDraws, amount, drawId, byPosting, true) });
        if (line.component === 'INSTALLMENT_PRINCIPAL') return copyStatement(st, { owed, billedPlans: reduceShares(st.billedPlans, amount, planId, byPosting, false) });
        return copyStatement(st, { owed });
      });
    }
  }
  return next;
}

/** Reduces the unbilled draws' shares by `amount`: the named draw's (a refund), else oldest first (a repayment). */
function reduceUnbilledDraws(unbilled: readonly UnbilledDraw[], amount: Money, drawId: string | null): UnbilledDraw[] {
  let left = amount;
  return unbilled.map((d) => {
    if (!left.isPositive() || !d.remaining.isPositive() || (drawId !== null && d.drawId !== drawId)) return d;
    const take = Money.min(left, d.remaining);
    left = left.minus(take);
    return { drawId: d.drawId, remaining: d.remaining.minus(take) };
  });
}

/** Orders draw ids (and plan ids, which are draw ids) by posting: object keys that look like integers would sort numerically. */
function postingOrder(s: CreditAccountState): (a: string, b: string) => number {
  return (a, b) => (getEntry(s.draws, a)?.seq ?? 0) - (getEntry(s.draws, b)?.seq ?? 0);
}

/**
 * Reduces shares by `amount`: the named one's (a refund), else oldest first (a repayment). Finding what
 * is oldest reads each draw's posting order from the draws' shards, which a cold account has not parsed;
 * it is skipped where it cannot change the result: when the amount pays every share, and for a
 * statement's billed draws (`keptInPostingOrder`) unless an id is an array index (`isArrayIndex`). Those
 * draws were added oldest first (by every state version this build reads: `applyStatement`), and an
 * object keeps its keys in the order they were added, through a snapshot's JSON too, except for array
 * indexes, which come first in ascending order. A statement's plans were added in the order the
 * plans were created, which need not be the order their draws were posted.
 */
function reduceShares(shares: Record<string, Money>, amount: Money, key: string | null, order: (a: string, b: string) => number, keptInPostingOrder: boolean): Record<string, Money> {
  const next = copyRecord(shares);
  let left = amount;
  for (const k of key ? [key] : oldestFirst(shares, amount, order, keptInPostingOrder)) {
    if (!left.isPositive()) break;
    const take = Money.min(left, next[k] ?? Money.ZERO);
    next[k] = (next[k] ?? Money.ZERO).minus(take);
    left = left.minus(take);
  }
  return next;
}

function oldestFirst(shares: Record<string, Money>, amount: Money, order: (a: string, b: string) => number, keptInPostingOrder: boolean): string[] {
  const keys = Object.keys(shares);
  if (keys.length < 2) return keys;
  if (keptInPostingOrder && !keys.some(isArrayIndex)) return keys;
  let total = Money.ZERO;
  for (const k of keys) total = total.plus(shares[k]);
  return amount.lessThan(total) ? keys.sort(order) : keys;
}

/** Whether an object keeps `key` among its array indexes (ahead of its other keys, ascending): "0" to "4294967294". */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

function updateStatement(s: CreditAccountState, id: string, change: (st: StatementState) => StatementState): CreditAccountState {
  const index = s.statements.findIndex((st) => st.id === id);
  if (index < 0) return s;
  const statements = s.statements.slice();
  statements[index] = change(statements[index]);
  return copyWith(s, { statements });
}

function newQuarter(quarter: string, since: string, s: CreditAccountState): QuarterStats {
  return {
    quarter,
    since,
    daysObserved: 0,
    owedDaysSum: Money.ZERO,
    overdueDays: 0,
    overdueEpisodes: quarterCountsOverdueCarriedIn(s) ? 1 : 0,
    statementsDue: 0,
    statementsPaidOnTime: 0,
    lastOwed: totalOwed(s),
    lastOverdue: isOverdue(s),
  };
}

/** Adds the days before `on` (each at the last end-of-day value) to the quarter's sums. */
export function accumulateQuarter(q: QuarterStats | null, on: string): QuarterStats | null {
  if (!q) return q;
  const days = daysBetween(q.since, on);
  if (days <= 0) return q;
  return copyQuarter(q, {
    since: on,
    daysObserved: q.daysObserved + days,
    owedDaysSum: q.owedDaysSum.plus(q.lastOwed.times(new Dec(days))),
    overdueDays: q.overdueDays + (q.lastOverdue ? days : 0),
  });
}

/** Brings the balance timeline up to date after an event. `next` is this event's own copy of the state, filled in here. */
function afterEvent(next: CreditAccountState, on: string): CreditAccountState {
  next.statements = withoutSettled(next.statements, statementsHoldEarlierBalances(next));
  if (!(next.lastOn && next.lastOn > on)) next.lastOn = on;
  const accruing = next.status === 'ACTIVE' || next.status === 'CLOSED';
  if (!next.quarter && !accruing) return next;
  // One pass over the statements answers the quarter's owed and overdue and the interest-bearing principal.
  const sums = statementSums(next.statements, carriedBearsPenalty(next));
  if (next.quarter) {
    const lastOwed = totalOwed(next, sums.billed);
    // Most events move neither figure; the quarter is then shared, not copied.
    if (!lastOwed.equals(next.quarter.lastOwed) || sums.overdue !== next.quarter.lastOverdue) next.quarter = copyQuarter(next.quarter, { lastOwed, lastOverdue: sums.overdue });
  }
  if (!accruing) return next;
  const { normal, penalty } = interestBearingPrincipal(next, sums);
  const segments = withSegment(next.accrual.segments, {
    from: on,
    normal,
    penalty,
    dailyRate: next.dailyRate,
    penaltyDailyRate: next.penaltyDailyRate,
  });
  if (segments !== next.accrual.segments) next.accrual = next.accrual.reversed ? { periodStart: next.accrual.periodStart, segments, reversed: next.accrual.reversed } : { periodStart: next.accrual.periodStart, segments };
  return next;
}

/**
 * Drops the statements settled after their due date; the same array when there are none (most events).
 * Settled is nothing billed up to it owed (`withEarlier`, rule revision 3), else its own charges paid.
 */
function withoutSettled(statements: StatementState[], withEarlier: boolean): StatementState[] {
  if (!statements.some((st) => st.dueDatePassed && !st.overdue)) return statements;
  let owedUpTo = Money.ZERO;
  const settled = statements.map((st) => {
    const own = bucketsTotal(st.owed);
    owedUpTo = owedUpTo.plus(own);
    return st.dueDatePassed && !st.overdue && (withEarlier ? owedUpTo : own).isZero();
  });
  return settled.includes(true) ? statements.filter((_, i) => !settled[i]) : statements;
}

function assertNever(x: never): never {
  throw new Error(`unhandled event ${JSON.stringify(x)}`);
}
