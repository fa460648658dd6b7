/**
 * Why a statement says what it says, rebuilt from the account's events: the daily interest table behind
 * its interest (the domain's `accrualRows` over the balance timeline the account had when the statement
 * was cut), the installment periods it billed, how each repayment and refund was allocated to its
 * buckets, and the rounding residual. The table's sums are checked against the statement's own figures.
 */
import {
  accrualBreakdown,
  accrualRows,
  type AllocationLine,
  billedChargesGivenBack,
  billedInstallmentPeriods,
  type BilledInstallmentPeriod,
  type DrawReversedData,
  fold,
  initialState,
  Money,
  type StatementIssuedData,
} from '@ledger/credit';
import { EventStore, type StoredEvent } from '@ledger/event-store';
import { readAccountStream, toDomain } from './account-history';
import { differingPart } from './verify-checks';

export interface ExplainedDay {
  date: string;
  normalPrincipal: string;
  dailyRate: string;
  interest: string;
  penaltyPrincipal: string;
  penaltyDailyRate: string;
  penaltyInterest: string;
}

export interface ExplainedPayment {
  eventId: string;
  type: 'RepaymentReceived' | 'DrawRefunded' | 'DrawReversed';
  on: string;
  reference: string;
  /** The event's amount: a repayment's, a refund's, a reversal's principal. */
  amount: string;
  /** What a reversal gives back of the charges its draw gave rise to, which its allocation and returned amount include too ("0.00" otherwise). */
  chargesReversed: string;
  returnedToCustomer: string;
  allocation: AllocationLine[];
}

/** A draw posted in the statement's period: what a customer looks for to dispute a charge. */
export interface ExplainedDraw {
  eventId: string;
  drawId: string;
  on: string;
  merchant: string;
  amount: string;
  /** The installment plan it was converted to before the statement (its periods are billed, not the draw); null when it revolves. */
  convertedTo: string | null;
}

export interface ExplainedAccrual {
  /** Sum of the table's daily amounts, exact. */
  sum: string;
  /**
   * What the statement records: exact, charged (exact - reversed, rounded half-up once), residual
   * (exact - reversed - charged), and `reversed`, what upheld disputes took off for the disputed draws' shares ("0" when none).
   */
  statement: { exact: string; reversed: string; charged: string; residual: string };
  /** The statement's exact amount equals the table's sum, its `reversed` what the account held, and charged + residual equals exact - reversed. */
  matches: boolean;
}

export interface StatementExplanation {
  accountId: string;
  statementId: string;
  periodFrom: string;
  periodTo: string;
  dueDate: string;
  days: ExplainedDay[];
  interest: ExplainedAccrual;
  penaltyInterest: ExplainedAccrual;
  installmentPeriods: BilledInstallmentPeriod[];
  /** The periods the account's plans were due to bill at the cut; equal to the statement's list. */
  installmentPeriodsMatch: boolean;
  fees: string;
  revolvingPrincipal: string;
  previousBalance: string;
  statementBalance: string;
  minimumRepayment: string;
  /** The upheld disputes that set this statement's minimum again without their draw, oldest first (`DisputedDrawMinimums`). */
  minimumsLowered: { disputeId: string; on: string; from: string; to: string }[];
  /** The draws posted in the period, in the order they were posted. */
  draws: ExplainedDraw[];
  /** Repayments and refunds in the period, and any later one allocated to this statement. */
  payments: ExplainedPayment[];
  roundingResidual: { interest: string; penaltyInterest: string };
}

export class StatementNotFoundError extends Error {
  readonly code = 'STATEMENT_NOT_FOUND';
  constructor(readonly accountId: string, readonly statementId: string) {
    super(`account ${accountId} has no statement ${statementId}`);
  }
}

/**
 * The statement's figures against the table's sum: `reversed` is what upheld disputes took off the period,
 * as the account replayed to the statement holds it. The check is `verify`'s (`differingPart`).
 */
function explainAccrual(sum: Money, recorded: StatementIssuedData['interest'], reversed: Money): ExplainedAccrual {
  const matches = differingPart(recorded, accrualBreakdown(sum, reversed)) === null;
  return { sum: sum.toExactString(), statement: { exact: recorded.exact, reversed: recorded.reversed ?? '0', charged: recorded.charged, residual: recorded.residual }, matches };
}

function chargesReversed(e: StoredEvent): string {
  const charges = e.type === 'DrawReversed' ? (e.data as DrawReversedData).charges : undefined;
  return charges ? billedChargesGivenBack(charges).toString() : '0.00';
}

export async function explainStatement(store: EventStore, accountId: string, statementId: string, asOf?: string): Promise<StatementExplanation> {
  const stored = await readAccountStream(store, accountId, asOf);
  const index = stored.findIndex((e) => e.type === 'StatementIssued' && (e.data as StatementIssuedData).statementId === statementId);
  if (index < 0) throw new StatementNotFoundError(accountId, statementId);
  const before = fold(initialState(accountId), stored.slice(0, index).map(toDomain));
  const data = stored[index].data as StatementIssuedData;
  const rows = accrualRows(before.accrual.segments, data.periodFrom, data.periodTo);
  const expectedPeriods = billedInstallmentPeriods(before);
  const payments: ExplainedPayment[] = [];
  const draws: ExplainedDraw[] = [];
  const converted = new Map<string, string>();
  for (let i = 0; i < index; i++) {
    const e = stored[i];
    if (e.type === 'InstallmentPlanCreated') converted.set((e.data as { drawId: string }).drawId, (e.data as { planId: string }).planId);
  }
  const minimumsLowered: StatementExplanation['minimumsLowered'] = [];
  for (const e of stored) {
    if (e.type === 'DrawPosted') {
      const d = e.data as { on: string; drawId: string; merchant: string; amount: string };
      if (d.on >= data.periodFrom && d.on <= data.periodTo) draws.push({ eventId: e.id, drawId: d.drawId, on: d.on, merchant: d.merchant, amount: d.amount, convertedTo: converted.get(d.drawId) ?? null });
    }
    if (e.type === 'DrawReversed') {
      const d = e.data as DrawReversedData;
      for (const l of d.minimums?.lowered ?? []) if (l.statementId === statementId) minimumsLowered.push({ disputeId: d.disputeId, on: d.on, from: l.from, to: l.to });
    }
    if (e.type !== 'RepaymentReceived' && e.type !== 'DrawRefunded' && e.type !== 'DrawReversed') continue;
    const d = e.data as { on: string; amount: string; returnedToCustomer: string; reference?: string; refundId?: string; disputeId?: string; allocation?: AllocationLine[]; appliedTo?: AllocationLine[] };
    const allocation = d.allocation ?? d.appliedTo ?? [];
    const inPeriod = d.on >= data.periodFrom && d.on <= data.periodTo;
    if (!inPeriod && !allocation.some((l) => l.target === 'STATEMENT' && l.statementId === statementId)) continue;
    payments.push({ eventId: e.id, type: e.type, on: d.on, reference: d.reference ?? d.refundId ?? d.disputeId ?? '', amount: d.amount, chargesReversed: chargesReversed(e), returnedToCustomer: d.returnedToCustomer, allocation });
  }
  return {
    accountId,
    statementId,
    periodFrom: data.periodFrom,
    periodTo: data.periodTo,
    dueDate: data.dueDate,
    days: rows.map((r) => ({
      date: r.date,
      normalPrincipal: r.normalPrincipal.toJSON(),
      dailyRate: r.dailyRate,
      interest: r.interest.toExactString(),
      penaltyPrincipal: r.penaltyPrincipal.toJSON(),
      penaltyDailyRate: r.penaltyDailyRate,
      penaltyInterest: r.penaltyInterest.toExactString(),
    })),
    interest: explainAccrual(Money.sum(rows.map((r) => r.interest)), data.interest, before.accrual.reversed?.interest ?? Money.ZERO),
    penaltyInterest: explainAccrual(Money.sum(rows.map((r) => r.penaltyInterest)), data.penaltyInterest, before.accrual.reversed?.penaltyInterest ?? Money.ZERO),
    installmentPeriods: data.installmentPeriods,
    installmentPeriodsMatch: JSON.stringify(expectedPeriods) === JSON.stringify(data.installmentPeriods),
    fees: data.fees,
    revolvingPrincipal: data.revolvingPrincipal,
    previousBalance: data.previousBalance,
    statementBalance: data.statementBalance,
    minimumRepayment: data.minimumRepayment,
    minimumsLowered,
    draws,
    payments,
    roundingResidual: { interest: data.interest.residual, penaltyInterest: data.penaltyInterest.residual },
  };
}
