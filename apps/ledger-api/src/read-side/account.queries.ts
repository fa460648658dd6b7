/**
 * The query side through @nestjs/cqrs: each query names what it reads; handlers read the read models
 * after the consistency wait. Nothing here folds events or touches the event store.
 */
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  type AccountPage,
  type AccountView,
  type AccrualsView,
  getAccount,
  getAccruals,
  getLimitReviews,
  getPortfolio,
  getStatement,
  getStatements,
  type LimitReviewView,
  listAccounts,
  type ListAccountsOptions,
  type PortfolioAccrualDay,
  portfolioAccrualByDay,
  type PortfolioView,
  type StatementView,
} from '@ledger/projections';
import { notFound } from '../http/errors';
import { ReadModels } from './read-models';

export interface Consistency {
  /** Wait for this global position (from a command's answer); default: the head when the query arrived. */
  after?: bigint;
  eventual?: boolean;
}

abstract class ReadQuery<T> extends Query<T> {
  constructor(readonly consistency: Consistency = {}) {
    super();
  }
}

export class GetAccountQuery extends ReadQuery<AccountView> {
  constructor(readonly accountId: string, consistency?: Consistency) {
    super(consistency);
  }
}
export class ListAccountsQuery extends ReadQuery<AccountPage> {
  constructor(readonly options: ListAccountsOptions, consistency?: Consistency) {
    super(consistency);
  }
}
export class GetStatementsQuery extends ReadQuery<StatementView[]> {
  constructor(readonly accountId: string, consistency?: Consistency) {
    super(consistency);
  }
}
export class GetStatementQuery extends ReadQuery<StatementView> {
  constructor(readonly accountId: string, readonly month: string, consistency?: Consistency) {
    super(consistency);
  }
}
export class GetAccrualsQuery extends ReadQuery<AccrualsView> {
  constructor(readonly accountId: string, readonly from: string, readonly to: string, consistency?: Consistency) {
    super(consistency);
  }
}
export class GetLimitReviewsQuery extends ReadQuery<LimitReviewView[]> {
  constructor(readonly accountId: string, consistency?: Consistency) {
    super(consistency);
  }
}
export class GetPortfolioQuery extends ReadQuery<PortfolioView> {}
export class GetPortfolioAccrualsQuery extends ReadQuery<PortfolioAccrualDay[]> {
  constructor(readonly from: string, readonly to: string, consistency?: Consistency) {
    super(consistency);
  }
}

async function settle(readModels: ReadModels, consistency: Consistency): Promise<void> {
  if (!consistency.eventual) await readModels.consistent(consistency.after);
}

function requireAccount(readModels: ReadModels, accountId: string): AccountView {
  const account = getAccount(readModels.db, accountId);
  if (!account) throw notFound('ACCOUNT', accountId);
  return account;
}

@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery, AccountView> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetAccountQuery) {
    await settle(this.readModels, q.consistency);
    return requireAccount(this.readModels, q.accountId);
  }
}

@QueryHandler(ListAccountsQuery)
export class ListAccountsHandler implements IQueryHandler<ListAccountsQuery, AccountPage> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: ListAccountsQuery) {
    await settle(this.readModels, q.consistency);
    return listAccounts(this.readModels.db, q.options);
  }
}

@QueryHandler(GetStatementsQuery)
export class GetStatementsHandler implements IQueryHandler<GetStatementsQuery, StatementView[]> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetStatementsQuery) {
    await settle(this.readModels, q.consistency);
    requireAccount(this.readModels, q.accountId);
    return getStatements(this.readModels.db, q.accountId);
  }
}

@QueryHandler(GetStatementQuery)
export class GetStatementHandler implements IQueryHandler<GetStatementQuery, StatementView> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetStatementQuery) {
    await settle(this.readModels, q.consistency);
    requireAccount(this.readModels, q.accountId);
    const statement = getStatement(this.readModels.db, q.accountId, q.month);
    if (!statement) throw notFound('STATEMENT', `${q.accountId}/${q.month}`);
    return statement;
  }
}

@QueryHandler(GetAccrualsQuery)
export class GetAccrualsHandler implements IQueryHandler<GetAccrualsQuery, AccrualsView> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetAccrualsQuery) {
    await settle(this.readModels, q.consistency);
    requireAccount(this.readModels, q.accountId);
    return getAccruals(this.readModels.db, q.accountId, q.from, q.to);
  }
}

@QueryHandler(GetLimitReviewsQuery)
export class GetLimitReviewsHandler implements IQueryHandler<GetLimitReviewsQuery, LimitReviewView[]> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetLimitReviewsQuery) {
    await settle(this.readModels, q.consistency);
    requireAccount(this.readModels, q.accountId);
    return getLimitReviews(this.readModels.db, q.accountId);
  }
}

@QueryHandler(GetPortfolioQuery)
export class GetPortfolioHandler implements IQueryHandler<GetPortfolioQuery, PortfolioView> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetPortfolioQuery) {
    await settle(this.readModels, q.consistency);
    return getPortfolio(this.readModels.db);
  }
}

@QueryHandler(GetPortfolioAccrualsQuery)
export class GetPortfolioAccrualsHandler implements IQueryHandler<GetPortfolioAccrualsQuery, PortfolioAccrualDay[]> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: GetPortfolioAccrualsQuery) {
    await settle(this.readModels, q.consistency);
    return portfolioAccrualByDay(this.readModels.db, q.from, q.to);
  }
}

export const QUERY_HANDLERS = [
  GetAccountHandler,
  ListAccountsHandler,
  GetStatementsHandler,
  GetStatementHandler,
  GetAccrualsHandler,
  GetLimitReviewsHandler,
  GetPortfolioHandler,
  GetPortfolioAccrualsHandler,
];
