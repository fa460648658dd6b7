import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { accountNotFound, accountTerms, addDays, contextAt, DomainError, draftStatement, firstOfMonth, monthOf, nextMonth, type StatementIssuedData, TermsCatalogue } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { accrualView, type AccrualView } from '@ledger/projections';
import { AccountRepository, BusinessClock } from '@ledger/servicing';
import { lastClosedAsOf } from '@ledger/servicing/audit';

/**
 * The statement the account's current cycle will issue, as it stands: what billing would add up if the
 * cycle ended with the last closed business day. A customer who repays everything owed today still gets
 * this cycle's interest billed at the month end (it is charged only by a statement, PRODUCT.md §6-7);
 * this is where an agent sees it coming.
 */
export interface NextStatementView extends Omit<StatementIssuedData, 'on' | 'periodTo' | 'interest' | 'penaltyInterest'> {
  /** As a statement shows them, `reversed` "0" when no dispute took anything off. */
  interest: AccrualView;
  penaltyInterest: AccrualView;
  accountId: string;
  /** The last day whose interest is counted: the last closed business day, or the day before the cycle began when none of it has closed. */
  accruedThrough: string;
  /** The business day after it, the first not closed: the figures are as of its start. */
  asOf: string;
  /** Whether the month end would issue a statement were nothing else to happen (something owed or some activity). */
  wouldIssue: boolean;
}

export class GetNextStatementQuery extends Query<NextStatementView> {
  constructor(readonly accountId: string) {
    super();
  }
}

/** Drafted from the account's events by billing's own code (`draftStatement`), as the month end will be. */
@QueryHandler(GetNextStatementQuery)
export class GetNextStatementHandler implements IQueryHandler<GetNextStatementQuery, NextStatementView> {
  constructor(
    private readonly repository: AccountRepository,
    private readonly store: EventStore,
    private readonly terms: TermsCatalogue,
    private readonly clock: BusinessClock,
  ) {}

  async execute({ accountId }: GetNextStatementQuery): Promise<NextStatementView> {
    // The cycle is the month of the first day not closed; its days closed so far are final. Read before
    // the account, so a close that ends in between can only have billed the account further (below),
    // never leave it a month short under a later label.
    const lastClosed = await lastClosedAsOf(this.store);
    const { state } = await this.repository.load(accountId);
    if (state.status === 'NONE') throw accountNotFound(accountId);
    if (state.status !== 'ACTIVE') {
      throw new DomainError('ACCOUNT_NOT_ACTIVE', `the account is ${state.status.toLowerCase()}: it has no statement to come`, { status: state.status });
    }
    let asOf = lastClosed === null ? this.clock.businessDate() : addDays(lastClosed, 1);
    // A month end's close under way has already billed this account: its cycle is the next month's, of
    // which no day has closed.
    if (state.lastStatementId !== null && state.lastStatementId >= monthOf(asOf)) asOf = firstOfMonth(nextMonth(state.lastStatementId));
    const accruedThrough = addDays(asOf, -1);
    const { data, issue } = draftStatement(state, monthOf(asOf), accruedThrough, accountTerms(state, contextAt(this.clock.now(), this.terms)));
    const { on: _on, periodTo: _periodTo, interest, penaltyInterest, ...figures } = data;
    return {
      accountId,
      ...figures,
      interest: accrualView(interest.exact, interest.charged, interest.residual),
      penaltyInterest: accrualView(penaltyInterest.exact, penaltyInterest.charged, penaltyInterest.residual),
      accruedThrough,
      asOf,
      wouldIssue: issue,
    };
  }
}
