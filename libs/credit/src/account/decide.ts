/**
 * decide(command, state, context) -> events: what happens when a command meets the account. Refusals
 * are a DomainError (nothing is written); declines are facts (DrawDeclined). An idempotent retry of a
 * command already applied (same order id, refund id, payment reference) decides no new events.
 */
import { Money } from '../money/money';
import type { ProductTerms } from '../terms/product-terms';
import { addDays, lastOfMonth, monthOf } from '../time/local-date';
import type { CreditAccountCommand } from './credit-account.commands';
import type { CreditAccountEvent } from './credit-account.events';
import type { CreditAccountState } from './credit-account.state';
import { accountTerms, assertBusinessTime, type DecideContext } from './decide-context';
import { accountNotFound, DomainError } from './domain-error';
import { fold } from './evolve';
import { getEntry, ownValue } from './sharded-record';
import { decideApplication } from './rules/application';
import { decideAutoRepaymentFailure, statementEvents } from './rules/billing';
import { decideDraw, parsePositive } from './rules/draws';
import { decideConversion, decideEarlyPayoff } from './rules/installment-conversion';
import { reviewEvents } from './rules/limit-review';
import { delinquencyEvents, dueDateEvents, nextDelinquencyClosing } from './rules/overdue';
import { disputedDrawCharges } from './rules/dispute-charges';
import { disputedDrawMinimums } from './rules/dispute-minimums';
import { decideRefund, reversalEvents } from './rules/refunds';
import { decideRepayment } from './rules/repayments';
import { withSettlementFollowUps } from './rules/settlement';

export function decide(command: CreditAccountCommand, state: CreditAccountState, context: DecideContext): CreditAccountEvent[] {
  if (command.type === 'CloseBusinessDay') return closeBusinessDay(state, command.businessDate, context).events;
  const on = context.businessDate;
  assertBusinessTime(state, on);
  const terms = accountTerms(state, context);
  if (command.type === 'SubmitApplication') return decideApplication(command, state, on, context.terms.current);
  if (state.status === 'NONE') throw accountNotFound(state.accountId);
  assertOpenFor(command, state);
  switch (command.type) {
    case 'ActivateAccount':
      if (state.status === 'ACTIVE') {
        if (state.agreementVersion === command.agreementVersion && state.autoRepayCardLast4 === command.autoRepayCardLast4) return [];
        throw new DomainError('ACCOUNT_ALREADY_ACTIVE', 'the account is already active');
      }
      if (state.status !== 'APPROVED') throw new DomainError('ACCOUNT_NOT_APPROVED', `the account is ${state.status.toLowerCase()}, not approved`);
      return [{ type: 'AccountActivated', data: { on, agreementVersion: command.agreementVersion, autoRepayCard: { last4: command.autoRepayCardLast4 } } }];
    case 'RequestDraw':
      return decideDraw(command, state, on, context.now, terms);
    case 'RefundDraw':
      return decideRefund(command, state, on, terms);
    case 'ConvertToInstallments':
      return decideConversion(command, state, on, terms);
    case 'PayOffInstallmentEarly':
      return decideEarlyPayoff(command, state, on);
    case 'ReceiveRepayment':
      return decideRepayment(command, state, on, context.now, terms);
    case 'RecordAutoRepaymentFailure':
      return decideAutoRepaymentFailure(command, state, on);
    case 'SetTransactionControls': {
      const limit = command.singleTransactionLimit === null ? null : parsePositive(command.singleTransactionLimit, 'singleTransactionLimit');
      if (sameControls(state, limit, command.nightLock)) return [];
      return [{ type: 'TransactionControlsSet', data: { on, singleTransactionLimit: limit?.toString() ?? null, nightLock: command.nightLock } }];
    }
    case 'UpdatePayScore':
      if (!Number.isInteger(command.payScore) || command.payScore < 0 || command.payScore > 1000) {
        throw new DomainError('INVALID_PAY_SCORE', 'pay score must be an integer from 0 to 1000', { field: 'payScore' });
      }
      return command.payScore === state.payScore ? [] : [{ type: 'PayScoreUpdated', data: { on, payScore: command.payScore } }];
    case 'SuspendForRisk':
      // Every anomaly risk monitoring reports is recorded, a further one while the line is suspended too
      // (it stays suspended until an operator clears it); a retry is once-only with an Idempotency-Key.
      return [{ type: 'AccountSuspended', data: { on, reason: command.reason, note: command.note } }];
    case 'ClearRiskSuspension':
      if (!state.riskSuspended) throw new DomainError('NOT_SUSPENDED', 'the account is not suspended');
      return [{ type: 'SuspensionCleared', data: { on, operator: command.operator } }];
    case 'UnlockPayment':
      if (!state.paymentLocked) throw new DomainError('NOT_LOCKED', 'payments are not locked');
      if (!command.faceVerified) throw new DomainError('FACE_VERIFICATION_REQUIRED', 'unlocking needs a passed face verification', { field: 'faceVerified' });
      return [{ type: 'PaymentUnlocked', data: { on, verifiedBy: 'FACE', operator: command.operator } }];
    case 'OpenDispute':
      return decideOpenDispute(command, state, on);
    case 'ResolveDispute':
      return decideResolveDispute(command, state, on, context);
    default:
      return assertNever(command);
  }
}

/**
 * What a command decides, and the state after its events where deciding folded them already: end of day
 * folds each rule's events before the next rule looks, so its caller need not fold them again.
 */
export interface Decision {
  events: CreditAccountEvent[];
  after?: CreditAccountState;
}

/** `decide`, with the state after its events when deciding knows it (`Decision`). */
export function decideFolded(command: CreditAccountCommand, state: CreditAccountState, context: DecideContext): Decision {
  return command.type === 'CloseBusinessDay' ? closeBusinessDay(state, command.businessDate, context) : { events: decide(command, state, context) };
}

/**
 * What an account takes before it is opened (PRODUCT.md §2: usable only once activated). A rejected
 * application takes only a new application (and a draw, declined as a fact, as at any account that
 * cannot pay; an activation is refused with its own code). An approved one takes its activation, a
 * risk suspension and its clearance (risk may act before first use), the customer's own transaction
 * controls (set before the first purchase) and pay score updates (the feed that reviews read): nothing
 * it could owe or repay. Anything else would write facts about a credit line that does not exist, such
 * as a repayment with nothing to pay returned whole.
 */
const BEFORE_ACTIVATION: Record<'REJECTED' | 'APPROVED', ReadonlySet<CreditAccountCommand['type']>> = {
  REJECTED: new Set(['ActivateAccount', 'RequestDraw']),
  APPROVED: new Set(['ActivateAccount', 'RequestDraw', 'SuspendForRisk', 'ClearRiskSuspension', 'SetTransactionControls', 'UpdatePayScore']),
};

function assertOpenFor(command: CreditAccountCommand, state: CreditAccountState): void {
  if (state.status !== 'REJECTED' && state.status !== 'APPROVED') return;
  if (BEFORE_ACTIVATION[state.status].has(command.type)) return;
  const detail = state.status === 'REJECTED' ? 'NOT_OPENED' : 'PENDING_ACTIVATION';
  throw new DomainError('ACCOUNT_NOT_ACTIVE', `the account is ${state.status.toLowerCase()}, not active: it takes no ${command.type} until it is activated`, { detail, status: state.status });
}

function sameControls(state: CreditAccountState, limit: Money | null, nightLock: boolean): boolean {
  const sameLimit = limit === null ? state.singleTransactionLimit === null : state.singleTransactionLimit?.equals(limit) === true;
  return sameLimit && state.nightLock === nightLock;
}

function decideOpenDispute(command: Extract<CreditAccountCommand, { type: 'OpenDispute' }>, state: CreditAccountState, on: string): CreditAccountEvent[] {
  const existing = ownValue(state.disputes, command.disputeId);
  if (existing) {
    if (existing.drawId === command.drawId) return [];
    throw new DomainError('DISPUTE_EXISTS', `dispute ${command.disputeId} is about draw ${existing.drawId}`, { disputeId: command.disputeId });
  }
  if (!getEntry(state.draws, command.drawId)) throw new DomainError('DRAW_NOT_FOUND', `no posted draw ${command.drawId}`, { drawId: command.drawId });
  // One dispute at a time a draw, and none after one was upheld: a second would be upheld with nothing left
  // to reverse. A rejected dispute leaves the draw open to another (new evidence).
  const standing = Object.entries(state.disputes).find(([, d]) => d.drawId === command.drawId && (!d.resolved || d.upheld === true));
  if (standing) {
    const [disputeId, d] = standing;
    throw new DomainError('DRAW_ALREADY_DISPUTED', `draw ${command.drawId} is already disputed: dispute ${disputeId} is ${d.resolved ? 'upheld' : 'open'}`, { drawId: command.drawId, disputeId });
  }
  return [{ type: 'DisputeOpened', data: { on, disputeId: command.disputeId, drawId: command.drawId, reason: command.reason } }];
}

function decideResolveDispute(command: Extract<CreditAccountCommand, { type: 'ResolveDispute' }>, state: CreditAccountState, on: string, context: DecideContext): CreditAccountEvent[] {
  const dispute = ownValue(state.disputes, command.disputeId);
  if (!dispute) throw new DomainError('DISPUTE_NOT_FOUND', `no dispute ${command.disputeId}`, { disputeId: command.disputeId });
  if (dispute.resolved) {
    if (dispute.upheld === command.upheld) return [];
    throw new DomainError('DISPUTE_ALREADY_RESOLVED', `dispute ${command.disputeId} was already resolved`, { upheld: dispute.upheld });
  }
  const reversedBy = getEntry(state.draws, dispute.drawId)?.reversedByDispute ?? null;
  if (command.upheld && reversedBy !== null) {
    // Only a ledger written before DRAW_ALREADY_DISPUTED can hold two open disputes on one draw.
    throw new DomainError('DRAW_ALREADY_DISPUTED', `draw ${dispute.drawId} was already reversed by dispute ${reversedBy}`, { drawId: dispute.drawId, disputeId: reversedBy });
  }
  const resolved: CreditAccountEvent = { type: 'DisputeResolved', data: { on, disputeId: command.disputeId, drawId: dispute.drawId, upheld: command.upheld, note: command.note } };
  if (!command.upheld) return [resolved];
  if (!context.history) throw new Error('an upheld dispute is decided with the account history (DecideContext.history)');
  const charges = disputedDrawCharges(context.history, dispute.drawId, on, state);
  const minimums = disputedDrawMinimums(context.history, dispute.drawId, charges, state, context.terms);
  const afterResolution = fold(state, [resolved]);
  const reversal = reversalEvents(afterResolution, getEntry(afterResolution.draws, dispute.drawId)!, command.disputeId, on, charges, minimums);
  return withSettlementFollowUps(state, [resolved, ...reversal], on, accountTerms(state, context));
}

/**
 * The account's part of closing business day `closing`, effective the next day: the month's statement,
 * due dates and the deferral limit, delinquency (freeze, report, bucket), then the quarterly review.
 * Each step sees the facts of the steps before it, and the state they fold to is returned with them.
 * Running it again for a day already closed decides nothing, because every step checks what the account
 * already records.
 */
export function closeBusinessDay(state: CreditAccountState, closing: string, context: DecideContext): Required<Decision> {
  if (state.status === 'NONE' || state.status === 'REJECTED' || state.status === 'APPROVED') return { events: [], after: state };
  if (state.lastOn !== null && addDays(closing, 1) < state.lastOn) {
    // Facts dated after the day being closed would make billing and due dates wrong: refuse loudly.
    throw new DomainError('BUSINESS_TIME_WENT_BACKWARDS', `cannot close ${closing}: the account already has facts from ${state.lastOn}`, { closing, lastOn: state.lastOn });
  }
  const terms = accountTerms(state, context);
  const events: CreditAccountEvent[] = [];
  let current = state;
  const step = (decided: CreditAccountEvent[]) => {
    events.push(...decided);
    current = fold(current, decided);
  };
  if (closing === lastOfMonth(monthOf(closing))) step(statementEvents(current, closing, terms));
  step(dueDateEvents(current, closing, terms));
  step(delinquencyEvents(current, closing, terms));
  step(reviewEvents(current, closing, terms));
  return { events, after: current };
}

/**
 * The next business date whose closing may need this account (for the end-of-day index): the earliest
 * on or after `after` of its month's end, each statement's due date until it passes and its deferral
 * end until the deferral limit is reached, and its next delinquency step. The month's end always qualifies, so an active account always has one. The
 * projections ask this for every event they replay: a scan for the least, not a list sorted.
 */
export function nextActionDate(state: CreditAccountState, after: string, terms: ProductTerms): string | null {
  if (state.status !== 'ACTIVE') return null;
  let next = lastOfMonth(monthOf(after));
  for (const s of state.statements) {
    if (!s.dueDatePassed && s.dueDate >= after && s.dueDate < next) next = s.dueDate;
    if (!s.overdue || s.overdue.kind !== 'DEFERRAL_LIMIT_REACHED') {
      const deferralEnd = addDays(s.dueDate, terms.overdue.maxDeferralDays);
      if (deferralEnd >= after && deferralEnd < next) next = deferralEnd;
    }
  }
  // On or after `after` by its own contract.
  const delinquency = nextDelinquencyClosing(state, after, terms);
  return delinquency !== null && delinquency < next ? delinquency : next;
}

function assertNever(x: never): never {
  throw new Error(`unhandled command ${JSON.stringify(x)}`);
}
