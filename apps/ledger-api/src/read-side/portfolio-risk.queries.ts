/** The risk views of the portfolio (vintage curves), read from the read models after the consistency wait. */
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { getVintages, type MonthRange, type VintagesView } from '@ledger/projections';
import { type Consistency, settle } from './account.queries';
import { ReadModels } from './read-models';

export class GetVintagesQuery extends Query<VintagesView> {
  constructor(
    readonly cohorts: MonthRange,
    readonly consistency: Consistency = {},
  ) {
    super();
  }
}

@QueryHandler(GetVintagesQuery)
export class GetVintagesHandler implements IQueryHandler<GetVintagesQuery, VintagesView> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetVintagesQuery) {
    await settle(this.readModels, q.consistency);
    return getVintages(this.readModels.db, q.cohorts);
  }
}

export const PORTFOLIO_RISK_HANDLERS = [GetVintagesHandler];
