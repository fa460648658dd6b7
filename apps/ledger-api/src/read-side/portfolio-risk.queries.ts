/** The risk views of the portfolio (vintage curves, roll rates), read from the read models after the consistency wait. */
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { getRollRates, getVintages, type MonthRange, type RollRatesView, type VintagesRange, type VintagesView } from '@ledger/projections';
import { type Consistency, settle } from './account.queries';
import { ReadModels } from './read-models';

export class GetVintagesQuery extends Query<VintagesView> {
  constructor(
    readonly cohorts: VintagesRange,
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

export class GetRollRatesQuery extends Query<RollRatesView> {
  constructor(
    readonly months: MonthRange,
    readonly consistency: Consistency = {},
  ) {
    super();
  }
}

@QueryHandler(GetRollRatesQuery)
export class GetRollRatesHandler implements IQueryHandler<GetRollRatesQuery, RollRatesView> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetRollRatesQuery) {
    await settle(this.readModels, q.consistency);
    return getRollRates(this.readModels.db, q.months);
  }
}

export const PORTFOLIO_RISK_HANDLERS = [GetVintagesHandler, GetRollRatesHandler];
