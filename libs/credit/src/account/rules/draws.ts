/**
 * Draws (PRODUCT.md §3). A declined draw is a fact (DrawDeclined), not an error. The decline rules are
 * checked in this fixed, documented order and the first that fails names the decline:
 *   1. ACCOUNT_NOT_ACTIVE (with the detail: pending activation, frozen, suspended, locked, closed)
 *   2. NIGHT_LOCK
 *   3. OVER_TRANSACTION_LIMIT
 *   4. FACE_VERIFICATION_REQUIRED (a password cannot authorise a draw at or above the face threshold)
 *   5. AUTHENTICATION_FAILED (counts towards the lock after 5 consecutive failures)
 *   6. INSUFFICIENT_CREDIT
 * Controls come before authentication so that a draw the user's own controls forbid never asks for,
 * or counts, an authentication.
 */
import { Money } from '../../money/money';
import type { ProductTerms } from '../../terms/product-terms';
import { toShanghai } from '../../time/local-date';
import type { CreditAccountCommand } from '../credit-account.commands';
import type { CreditAccountEvent, DeclineReason, InactiveDetail } from '../credit-account.events';
import { availableCredit, type CreditAccountState } from '../credit-account.state';
import { accountNotFound, DomainError } from '../domain-error';
import { getEntry } from '../sharded-record';

type RequestDraw = Extract<CreditAccountCommand, { type: 'RequestDraw' }>;

interface DrawCheck {
  command: RequestDraw;
  amount: Money;
  state: CreditAccountState;
  terms: ProductTerms;
  minuteOfDay: number;
}

export function inactiveDetail(state: CreditAccountState): InactiveDetail | null {
  if (state.status === 'NONE' || state.status === 'REJECTED') return 'NOT_OPENED';
  if (state.status === 'APPROVED') return 'PENDING_ACTIVATION';
  if (state.status === 'CLOSED') return 'CLOSED';
  if (state.paymentLocked) return 'PAYMENT_LOCKED';
  if (state.frozenForOverdue) return 'FROZEN_OVERDUE';
  if (state.riskSuspended) return 'RISK_SUSPENDED';
  return null;
}

function inNightLock(minuteOfDay: number, terms: ProductTerms): boolean {
  const { nightLockStartMinute: start, nightLockEndMinute: end } = terms.draws;
  return start > end ? minuteOfDay >= start || minuteOfDay < end : minuteOfDay >= start && minuteOfDay < end;
}

export const DRAW_RULES: [DeclineReason, (c: DrawCheck) => boolean][] = [
  ['ACCOUNT_NOT_ACTIVE', ({ state }) => inactiveDetail(state) === null],
  ['NIGHT_LOCK', ({ state, minuteOfDay, terms }) => !(state.nightLock && inNightLock(minuteOfDay, terms))],
  ['OVER_TRANSACTION_LIMIT', ({ state, amount }) => state.singleTransactionLimit === null || amount.lessThanOrEqual(state.singleTransactionLimit)],
  ['FACE_VERIFICATION_REQUIRED', ({ command, amount, terms }) =>
    command.authentication.method === 'FACE' || amount.lessThan(Money.of(terms.draws.faceVerificationFrom))],
  ['AUTHENTICATION_FAILED', ({ command }) => command.authentication.passed],
  ['INSUFFICIENT_CREDIT', ({ state, amount }) => amount.lessThanOrEqual(availableCredit(state))],
];

export function decideDraw(command: RequestDraw, state: CreditAccountState, on: string, now: string, terms: ProductTerms): CreditAccountEvent[] {
  if (state.status === 'NONE') throw accountNotFound(state.accountId);
  const amount = parsePositive(command.amount, 'amount');
  const existing = getEntry(state.orders, command.orderId);
  if (existing) {
    if (existing.amount.equals(amount) && existing.merchant === command.merchant) return [];
    throw new DomainError('DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD', `order ${command.orderId} was already ${existing.outcome.toLowerCase()} with other details`, {
      orderId: command.orderId,
      originalAmount: existing.amount.toString(),
      originalMerchant: existing.merchant,
    });
  }
  const check: DrawCheck = { command, amount, state, terms, minuteOfDay: toShanghai(now).minuteOfDay };
  const failed = DRAW_RULES.find(([, holds]) => !holds(check));
  const base = { on, at: now, merchant: command.merchant, amount: amount.toString() };
  if (!failed) {
    return [{ type: 'DrawPosted', data: { ...base, drawId: command.orderId, authMethod: command.authentication.method } }];
  }
  const reason = failed[0];
  const authChecked = reason === 'AUTHENTICATION_FAILED' || reason === 'INSUFFICIENT_CREDIT';
  const failures = reason === 'AUTHENTICATION_FAILED' ? state.consecutiveAuthFailures + 1 : authChecked ? 0 : state.consecutiveAuthFailures;
  const declined: CreditAccountEvent = {
    type: 'DrawDeclined',
    data: { ...base, orderId: command.orderId, reason, consecutiveAuthFailures: failures, ...(reason === 'ACCOUNT_NOT_ACTIVE' ? { detail: inactiveDetail(state)! } : {}) },
  };
  if (reason === 'AUTHENTICATION_FAILED' && failures >= terms.draws.maxConsecutiveAuthFailures) {
    return [declined, { type: 'PaymentLocked', data: { on, consecutiveAuthFailures: failures } }];
  }
  return [declined];
}

export function parsePositive(value: string, field: string): Money {
  let amount: Money;
  try {
    amount = Money.of(value);
  } catch {
    throw new DomainError('INVALID_AMOUNT', `${field} must be a decimal string with at most 2 decimals`, { field, value });
  }
  if (!amount.isPositive()) throw new DomainError('INVALID_AMOUNT', `${field} must be positive`, { field, value });
  return amount;
}
