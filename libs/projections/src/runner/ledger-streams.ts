/**
 * How the servicing layer names streams and events (fixed conventions): account events on
 * `credit-account-<accountId>` with the domain event's type and data; the end of each business day as
 * `BusinessDayClosed` on `ledger-business-days`, after every account event of that day's end of day.
 * Anything else in the log (idempotency records, future event types) is skipped, though the checkpoint
 * still moves past it.
 */
import type { CreditAccountEvent, CreditAccountEventType } from '@ledger/credit';
import type { StoredEventData } from '@ledger/event-store';
import type { BusinessDayClosedData } from './projection';

export const ACCOUNT_STREAM_PREFIX = 'credit-account-';
export const BUSINESS_DAYS_STREAM = 'ledger-business-days';

/** Every account event type the projections know; a Record so the compiler flags a new domain type. */
const KNOWN_ACCOUNT_EVENTS: Record<CreditAccountEventType, true> = {
  ApplicationSubmitted: true,
  ApplicationApproved: true,
  ApplicationRejected: true,
  AccountActivated: true,
  DrawPosted: true,
  DrawDeclined: true,
  PaymentLocked: true,
  PaymentUnlocked: true,
  DrawRefunded: true,
  InstallmentPlanCreated: true,
  InstallmentPaidOffEarly: true,
  StatementIssued: true,
  AutoRepaymentRequested: true,
  AutoRepaymentFailed: true,
  RepaymentReceived: true,
  MinimumRepaymentMet: true,
  StatementDueDatePassed: true,
  AccountBecameOverdue: true,
  AccountFrozen: true,
  AccountUnfrozen: true,
  OverdueReported: true,
  DelinquencyBucketChanged: true,
  OverdueCured: true,
  CreditLimitReviewed: true,
  PayScoreUpdated: true,
  TransactionControlsSet: true,
  AccountSuspended: true,
  SuspensionCleared: true,
  DisputeOpened: true,
  DisputeResolved: true,
  DrawReversed: true,
};

export type LedgerEvent =
  | { kind: 'account'; accountId: string; event: CreditAccountEvent }
  | { kind: 'businessDayClosed'; data: BusinessDayClosedData }
  | { kind: 'other' };

export function accountStream(accountId: string): string {
  return `${ACCOUNT_STREAM_PREFIX}${accountId}`;
}

export function decodeLedgerEvent(stored: StoredEventData): LedgerEvent {
  if (stored.stream.startsWith(ACCOUNT_STREAM_PREFIX) && Object.hasOwn(KNOWN_ACCOUNT_EVENTS, stored.type)) {
    const accountId = stored.stream.slice(ACCOUNT_STREAM_PREFIX.length);
    return {
      kind: 'account',
      accountId,
      event: { type: stored.type, data: stored.data } as CreditAccountEvent,
    };
  }
  if (stored.stream === BUSINESS_DAYS_STREAM && stored.type === 'BusinessDayClosed') {
    return { kind: 'businessDayClosed', data: stored.data as BusinessDayClosedData };
  }
  return { kind: 'other' };
}
