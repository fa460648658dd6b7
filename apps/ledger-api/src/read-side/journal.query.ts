/**
 * The trial balance and the journal per day from the journal read model, for finance's daily
 * reconciliation with the general ledger: the figures `ledger gl` gives, without reading the log.
 */
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { JournalDating } from '@ledger/credit';
import { type JournalDay, journalDays, trialBalance, type TrialBalanceView } from '@ledger/projections';
import { type Consistency, settle } from './account.queries';
import { ReadModels } from './read-models';

export class GetTrialBalanceQuery extends Query<TrialBalanceView> {
  constructor(readonly from: string, readonly to: string, readonly dateBy: JournalDating = 'posting', readonly consistency: Consistency = {}) {
    super();
  }
}

export class GetJournalDaysQuery extends Query<JournalDay[]> {
  constructor(readonly from: string, readonly to: string, readonly consistency: Consistency = {}) {
    super();
  }
}

@QueryHandler(GetTrialBalanceQuery)
export class GetTrialBalanceHandler implements IQueryHandler<GetTrialBalanceQuery, TrialBalanceView> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetTrialBalanceQuery) {
    await settle(this.readModels, q.consistency);
    return trialBalance(this.readModels.db, q.from, q.to, q.dateBy);
  }
}

@QueryHandler(GetJournalDaysQuery)
export class GetJournalDaysHandler implements IQueryHandler<GetJournalDaysQuery, JournalDay[]> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetJournalDaysQuery) {
    await settle(this.readModels, q.consistency);
    return journalDays(this.readModels.db, q.from, q.to);
  }
}

export const JOURNAL_HANDLERS = [GetTrialBalanceHandler, GetJournalDaysHandler];
