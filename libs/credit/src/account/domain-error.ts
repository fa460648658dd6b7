/**
 * A command the product rules refuse. One class with a code; the HTTP layer maps codes to statuses in
 * one place (conflicts such as an idempotency key reused with another payload to 409, the rest to 422).
 */
export const DOMAIN_ERROR_CODES = [
  'ACCOUNT_NOT_FOUND',
  'INVALID_ID_NUMBER',
  'APPLICATION_ALREADY_APPROVED',
  'APPLICATION_PENDING',
  'ACCOUNT_NOT_APPROVED',
  'ACCOUNT_ALREADY_ACTIVE',
  'ACCOUNT_NOT_ACTIVE',
  'INVALID_AMOUNT',
  'DRAW_NOT_FOUND',
  'DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD',
  'REFUND_EXISTS_WITH_DIFFERENT_AMOUNT',
  'REFUND_EXCEEDS_DRAW',
  'INSTALLMENT_NOT_ELIGIBLE',
  'INSTALLMENT_EXISTS_WITH_DIFFERENT_PERIODS',
  'INSTALLMENT_PERIODS_NOT_OFFERED',
  'INSTALLMENT_PLAN_NOT_FOUND',
  'REPAYMENT_EXCEEDS_BALANCE',
  'REPAYMENT_EXISTS_WITH_DIFFERENT_AMOUNT',
  'STATEMENT_NOT_FOUND',
  'STATEMENT_SETTLED',
  'INVALID_PAY_SCORE',
  'NOT_SUSPENDED',
  'NOT_LOCKED',
  'FACE_VERIFICATION_REQUIRED',
  'DISPUTE_EXISTS',
  'DISPUTE_NOT_FOUND',
  'DISPUTE_ALREADY_RESOLVED',
  'DRAW_ALREADY_DISPUTED',
  'DAY_ALREADY_CLOSED',
  'BUSINESS_TIME_WENT_BACKWARDS',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** An account with no events, in the same words and details as the read side's 404 (`no account <id>`). */
export function accountNotFound(accountId: string): DomainError {
  return new DomainError('ACCOUNT_NOT_FOUND', `no account ${accountId}`, { id: accountId });
}

/**
 * The conflict codes (409): the same id retried with a different payload (TigerBeetle's
 * exists_with_different_*), or a second of what exists once (a standing dispute on a draw).
 */
export const CONFLICT_CODES: ReadonlySet<DomainErrorCode> = new Set<DomainErrorCode>([
  'DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD',
  'REFUND_EXISTS_WITH_DIFFERENT_AMOUNT',
  'REPAYMENT_EXISTS_WITH_DIFFERENT_AMOUNT',
  'INSTALLMENT_EXISTS_WITH_DIFFERENT_PERIODS',
  'DISPUTE_EXISTS',
  'DISPUTE_ALREADY_RESOLVED',
  'DRAW_ALREADY_DISPUTED',
  'APPLICATION_ALREADY_APPROVED',
  'ACCOUNT_ALREADY_ACTIVE',
]);
