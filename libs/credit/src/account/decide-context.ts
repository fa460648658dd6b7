import type { ProductTerms, TermsCatalogue } from '../terms/product-terms';
import { isValidDate, toShanghai } from '../time/local-date';
import type { CreditAccountCommand } from './credit-account.commands';
import type { CreditAccountEvent } from './credit-account.events';
import type { CreditAccountState } from './credit-account.state';
import { DomainError } from './domain-error';
import { ownValue } from './sharded-record';

/**
 * Everything a decision needs besides the account's state: the business time and the product terms, and
 * for the one decision that reads them, the account's own events. The domain never reads a clock or the
 * environment.
 */
export interface DecideContext {
  /** The business date-time, ISO-8601 with an offset (the business clock's now). */
  now: string;
  /** The business date (Asia/Shanghai) of `now`. */
  businessDate: string;
  terms: TermsCatalogue;
  /**
   * The account's events so far, the ones its state folds: only an upheld dispute reads them (to find the
   * disputed draw's share of the interest, `disputedDrawCharges`), so a caller passes them for that
   * command alone (`needsHistory`).
   */
  history?: readonly CreditAccountEvent[];
}

export function contextAt(now: string, terms: TermsCatalogue, history?: readonly CreditAccountEvent[]): DecideContext {
  const context: DecideContext = { now, businessDate: toShanghai(now).date, terms };
  if (history) context.history = history;
  return context;
}

/** Whether deciding the command on `state` reads the account's history (`DecideContext.history`): upholding a dispute not yet resolved. */
export function needsHistory(command: CreditAccountCommand, state: CreditAccountState): boolean {
  return command.type === 'ResolveDispute' && command.upheld && ownValue(state.disputes, command.disputeId)?.resolved !== true;
}

/** The terms an account was opened under; new applications take the current terms. */
export function accountTerms(state: CreditAccountState, context: DecideContext): ProductTerms {
  return state.termsVersion ? context.terms.get(state.termsVersion) : context.terms.current;
}

/** Business time only moves forward for an account: a command may not take effect before its last fact. */
export function assertBusinessTime(state: CreditAccountState, on: string): void {
  if (!isValidDate(on)) throw new DomainError('BUSINESS_TIME_WENT_BACKWARDS', `not a business date: ${on}`);
  if (state.lastOn !== null && on < state.lastOn) {
    throw new DomainError('BUSINESS_TIME_WENT_BACKWARDS', `business date ${on} is before the account's last fact on ${state.lastOn}`, {
      businessDate: on,
      lastOn: state.lastOn,
    });
  }
}
