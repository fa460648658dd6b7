/**
 * An account's installment plans as customer support reads them (PRODUCT.md §5): each plan's terms, what
 * the statements have billed of it and what is still to bill, how it ended, and for an open plan what an
 * early payoff today would bring forward, keep and waive. The state says where each plan stands now; the
 * events say what only they record: when the plan began, what each statement billed of it, and which
 * event ended it.
 */
import { Money } from '../money/money';
import type { IsoDate } from '../time/local-date';
import type { AllocationLine, CreditAccountEvent } from './credit-account.events';
import { type CreditAccountState, type PlanState, planUnbilledFees, planUnbilledPrincipal } from './credit-account.state';
import { type EarlyPayoff, earlyPayoffOf } from './rules/installment-conversion';
import { ownValue } from './sharded-record';

/**
 * Why a plan has nothing more to bill: paid off early (its remainder billed whole on the next statement),
 * its statements billed all there was to bill, or a merchant refund, an upheld dispute or a repayment took
 * the last of its unbilled principal.
 */
export type PlanEndReason = 'PAID_OFF_EARLY' | 'BILLED_IN_FULL' | 'REFUNDED' | 'REVERSED_BY_DISPUTE' | 'PREPAID';

export interface InstallmentPlanSummary {
  plan: PlanState;
  createdOn: IsoDate;
  /** Statements that billed a period of it (a paid-off remainder is billed on one). */
  periodsBilled: number;
  /**
   * Statements still to bill a period of it: the next period, and every later one up to the last with
   * principal left (periods a refund or a prepayment emptied at the end are never billed: the plan closes
   * before them); none once the plan has ended.
   */
  periodsLeft: number;
  billedPrincipal: Money;
  billedFees: Money;
  principalToBill: Money;
  feesToBill: Money;
  ended: { on: IsoDate; reason: PlanEndReason } | null;
  /** What paying the plan off now would record; null once it has ended. */
  payoffToday: EarlyPayoff | null;
}

interface PlanRecord {
  planId: string;
  createdOn: IsoDate;
  periodsBilled: number;
  billedPrincipal: Money;
  billedFees: Money;
  paidOffOn: IsoDate | null;
  /** The last event that billed the plan or took from its unbilled principal: the one that ended it, once it has. */
  lastChange: { on: IsoDate; reason: PlanEndReason } | null;
}

/**
 * The account's plans, the open ones first, then those that ended, each group newest first: support
 * answers about what is still running, and the most recent purchase is the one a customer calls about.
 * `events` are the account's events up to the state's revision.
 */
export function installmentPlanSummaries(state: CreditAccountState, events: readonly CreditAccountEvent[]): InstallmentPlanSummary[] {
  const summaries = [...planRecords(events).values()].reverse().map((record) => summarize(ownValue(state.plans, record.planId)!, record));
  return [...summaries.filter((s) => s.ended === null), ...summaries.filter((s) => s.ended !== null)];
}

function summarize(plan: PlanState, record: PlanRecord): InstallmentPlanSummary {
  const ended = record.paidOffOn !== null ? { on: record.paidOffOn, reason: 'PAID_OFF_EARLY' as const } : plan.closed ? record.lastChange : null;
  return {
    plan,
    createdOn: record.createdOn,
    periodsBilled: record.periodsBilled,
    periodsLeft: ended === null ? periodsLeftOf(plan) : 0,
    billedPrincipal: record.billedPrincipal,
    billedFees: record.billedFees,
    principalToBill: planUnbilledPrincipal(plan),
    feesToBill: planUnbilledFees(plan),
    ended,
    payoffToday: ended === null ? earlyPayoffOf(plan) : null,
  };
}

function periodsLeftOf(plan: PlanState): number {
  let last = plan.nextPeriod;
  for (let period = plan.periods; period > plan.nextPeriod; period--) {
    if (!plan.remaining[period - 1].isZero()) {
      last = period;
      break;
    }
  }
  return last - plan.nextPeriod + 1;
}

/** Each plan's record from the events, in the order the plans were created. */
function planRecords(events: readonly CreditAccountEvent[]): Map<string, PlanRecord> {
  const records = new Map<string, PlanRecord>();
  const takenFrom = (on: IsoDate, lines: readonly AllocationLine[], reason: PlanEndReason) => {
    for (const line of lines) {
      if (line.target === 'UNBILLED_INSTALLMENT') records.get(line.planId)!.lastChange = { on, reason };
    }
  };
  for (const event of events) {
    switch (event.type) {
      case 'InstallmentPlanCreated':
        records.set(event.data.planId, {
          planId: event.data.planId,
          createdOn: event.data.on,
          periodsBilled: 0,
          billedPrincipal: Money.ZERO,
          billedFees: Money.ZERO,
          paidOffOn: null,
          lastChange: null,
        });
        break;
      case 'InstallmentPaidOffEarly':
        records.get(event.data.planId)!.paidOffOn = event.data.on;
        break;
      case 'StatementIssued':
        for (const period of event.data.installmentPeriods) {
          const record = records.get(period.planId)!;
          record.periodsBilled += 1;
          record.billedPrincipal = record.billedPrincipal.plus(Money.of(period.principal));
          record.billedFees = record.billedFees.plus(Money.of(period.fee));
          record.lastChange = { on: event.data.on, reason: 'BILLED_IN_FULL' };
        }
        break;
      case 'DrawRefunded':
        takenFrom(event.data.on, event.data.appliedTo, 'REFUNDED');
        break;
      case 'DrawReversed':
        takenFrom(event.data.on, event.data.appliedTo, 'REVERSED_BY_DISPUTE');
        break;
      case 'RepaymentReceived':
        takenFrom(event.data.on, event.data.allocation, 'PREPAID');
        break;
      default:
        break;
    }
  }
  return records;
}
