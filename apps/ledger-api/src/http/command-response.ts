import { availableCredit, type CreditAccountState, type CreditAccountEvent, totalOwed } from '@ledger/credit';
import type { ExecuteResult } from '@ledger/servicing';

/** The account figures every command answer carries, so a client need not read back after writing. */
export function accountSummary(state: CreditAccountState) {
  return {
    status: state.status,
    limit: state.limit.toString(),
    available: availableCredit(state).toString(),
    owed: totalOwed(state).toString(),
    frozen: state.frozenForOverdue,
    suspended: state.riskSuspended,
    paymentLocked: state.paymentLocked,
  };
}

export function commandResponse(result: ExecuteResult) {
  return {
    accountId: result.accountId,
    replayed: result.replayed,
    /** Global log position of the last event: pass it as `?after=` to a query for read-your-writes. */
    position: result.position.toString(),
    events: result.events.map((e: CreditAccountEvent) => ({ type: e.type, data: e.data })),
    account: accountSummary(result.state),
  };
}
