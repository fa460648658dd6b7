/**
 * The query side through @nestjs/cqrs: each query names what it reads; handlers read the read models
 * after the consistency wait. Nothing here folds events or touches the event store.
 */
import { Readable } from 'node:stream';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import Database from 'better-sqlite3';
import { addDays } from '@ledger/credit';
import {
  type AccountFlag,
  type AccountPage,
  type AccountSort,
  type Db,
  type AccountView,
  type AccrualsView,
  getAccount,
  getAccruals,
  getLimitReviews,
  getPortfolio,
  getStatement,
  getStatements,
  lastClosedBusinessDay,
  type LimitReviewView,
  eachAccount,
  listAccounts,
  type ListAccountsOptions,
  type PortfolioAccrualDay,
  portfolioAccrualByDay,
  type PortfolioView,
  type StatementView,
} from '@ledger/projections';
import { notFound } from '../http/errors';
import { ACCOUNT_CSV_HEADER, accountsCsv } from './accounts-csv';
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
export interface AccountFilters {
  status?: string;
  bucket?: string;
  flag?: AccountFlag;
  sort?: AccountSort;
}
/** The CSV export: the accounts the filters select, as of one snapshot of the read models. */
export interface AccountsExport {
  /** The business date the figures are as of (the day after the last closed one), null before the first end of day. */
  asOf: string | null;
  /** The CSV text in chunks of a page each: the header row, then every account the filters select. */
  csv: Readable;
}
export class ExportAccountsQuery extends ReadQuery<AccountsExport> {
  constructor(readonly filters: AccountFilters, consistency?: Consistency) {
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

/**
 * Strong: waits for the events appended before the query, or with `after` for that position. Eventual:
 * reads at once, or with `after` once that position is applied, as strong then does (a client reading
 * its own write asks for no more; `after` was ignored with eventual until the forty-third round).
 */
export async function settle(readModels: ReadModels, consistency: Consistency): Promise<void> {
  if (!consistency.eventual || consistency.after !== undefined) await readModels.consistent(consistency.after);
  else await readModels.assertOfThisLogNow();
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

/** Accounts per page of the export: the list's largest page. */
export const EXPORT_PAGE_SIZE = 500;

/**
 * The pages of an export read one snapshot of the read models, so that an account is neither missed nor
 * written twice when the projections move it (a new overdue reorders `sort=daysPastDue`) and every row
 * has the same business date, however long the client takes to read.
 *
 * On a read-model file this is a read transaction on a connection of its own (read-only): in WAL mode it
 * keeps seeing the database as of its first read while the projections go on committing on theirs, and
 * the pages are produced as the client reads them (one at a time, with the stream's back-pressure), so
 * neither the rows nor the event loop are held for the whole export. Holding a transaction across
 * awaits on the projections' own connection would make their batches join it, and a synchronous
 * `db.transaction` over every page would build the whole file in memory while blocking the API. While
 * the export streams, SQLite cannot checkpoint the WAL past its snapshot; the WAL shrinks again after.
 *
 * In-memory read models (LEDGER_STORE=memory, for development and tests) have no file to open twice: the
 * pages are read at once inside one transaction of the shared connection, and streamed from memory.
 */
function openSnapshot(db: Db): { reader: Db; release(): void } | null {
  if (db.memory) return null;
  const reader = new Database(db.name, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
  } catch (error) {
    reader.close();
    throw error;
  }
  let released = false;
  return {
    reader,
    release() {
      if (released) return;
      released = true;
      try {
        if (reader.inTransaction) reader.exec('COMMIT');
      } finally {
        reader.close();
      }
    },
  };
}

/** The CSV pages of the accounts `filters` select, `EXPORT_PAGE_SIZE` accounts a page, read by one statement (`eachAccount`). */
function* csvPages(db: Db, filters: AccountFilters): Generator<string> {
  let page: AccountView[] = [];
  for (const account of eachAccount(db, filters)) {
    page.push(account);
    if (page.length < EXPORT_PAGE_SIZE) continue;
    yield accountsCsv(page);
    page = [];
  }
  if (page.length > 0) yield accountsCsv(page);
}

@QueryHandler(ExportAccountsQuery)
export class ExportAccountsHandler implements IQueryHandler<ExportAccountsQuery, AccountsExport> {
  constructor(private readonly readModels: ReadModels) {}
  async execute(q: ExportAccountsQuery): Promise<AccountsExport> {
    await settle(this.readModels, q.consistency);
    const snapshot = openSnapshot(this.readModels.db);
    if (snapshot === null) {
      const db = this.readModels.db;
      return db.transaction(() => {
        const lastClosed = lastClosedBusinessDay(db);
        return { asOf: lastClosed && addDays(lastClosed, 1), csv: Readable.from([ACCOUNT_CSV_HEADER, ...csvPages(db, q.filters)]) };
      })();
    }
    try {
      // The first read fixes the snapshot: the pages after it see the same database.
      const lastClosed = lastClosedBusinessDay(snapshot.reader);
      const pages = csvPages(snapshot.reader, q.filters);
      // One page ahead of the client at most: the socket has a buffer of its own.
      const csv = Readable.from(
        (function* () {
          yield ACCOUNT_CSV_HEADER;
          yield* pages;
        })(),
        { highWaterMark: 1 },
      );
      // Ended, failed, or dropped by a client that went away (or by a HEAD request): the snapshot ends with it.
      csv.once('close', () => snapshot.release());
      return { asOf: lastClosed && addDays(lastClosed, 1), csv };
    } catch (error) {
      snapshot.release();
      throw error;
    }
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
  ExportAccountsHandler,
  GetStatementsHandler,
  GetStatementHandler,
  GetAccrualsHandler,
  GetLimitReviewsHandler,
  GetPortfolioHandler,
  GetPortfolioAccrualsHandler,
];
