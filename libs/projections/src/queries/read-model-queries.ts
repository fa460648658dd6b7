/**
 * The queries bound to one read-model connection, for the servicing layer to wrap in query handlers.
 * Framework-free on purpose: Nest wiring belongs to the servicing layer.
 */
import type { JournalDating } from '@ledger/credit';
import type { Db } from '../runner/projection';
import {
  type AccountPage,
  type AccountView,
  getAccount,
  listAccounts,
  type ListAccountsOptions,
} from './accounts.queries';
import {
  type AccrualsView,
  getAccruals,
  type PortfolioAccrualDay,
  portfolioAccrualByDay,
} from './accruals.queries';
import { lastClosedBusinessDay } from './business-days.queries';
import { accountsDueForEndOfDay } from './eod.queries';
import { type JournalDay, journalDays, trialBalance, type TrialBalanceView } from './journal.queries';
import { getLimitReviews, type LimitReviewView } from './limit-reviews.queries';
import { getPortfolio, type PortfolioView } from './portfolio.queries';
import { getRollRates, getVintages, type MonthRange, type RollRatesView, type VintagesRange, type VintagesView } from './portfolio-risk.queries';
import { getStatement, getStatements, type StatementView } from './statements.queries';

export class ReadModelQueries {
  constructor(private readonly db: Db) {}

  getAccount(accountId: string): AccountView | null {
    return getAccount(this.db, accountId);
  }

  listAccounts(options: ListAccountsOptions = {}): AccountPage {
    return listAccounts(this.db, options);
  }

  getStatements(accountId: string): StatementView[] {
    return getStatements(this.db, accountId);
  }

  getStatement(accountId: string, month: string): StatementView | null {
    return getStatement(this.db, accountId, month);
  }

  getAccruals(accountId: string, from: string, to: string): AccrualsView {
    return getAccruals(this.db, accountId, from, to);
  }

  portfolioAccrualByDay(from: string, to: string): PortfolioAccrualDay[] {
    return portfolioAccrualByDay(this.db, from, to);
  }

  getLimitReviews(accountId: string): LimitReviewView[] {
    return getLimitReviews(this.db, accountId);
  }

  getPortfolio(): PortfolioView {
    return getPortfolio(this.db);
  }

  trialBalance(from: string, to: string, dateBy: JournalDating = 'posting'): TrialBalanceView {
    return trialBalance(this.db, from, to, dateBy);
  }

  journalDays(from: string, to: string): JournalDay[] {
    return journalDays(this.db, from, to);
  }

  getVintages(range: VintagesRange = {}): VintagesView {
    return getVintages(this.db, range);
  }

  getRollRates(range: MonthRange = {}): RollRatesView {
    return getRollRates(this.db, range);
  }

  accountsDueForEndOfDay(date: string, limit: number, afterAccountId?: string): string[] {
    return accountsDueForEndOfDay(this.db, date, limit, afterAccountId);
  }

  lastClosedBusinessDay(): string | null {
    return lastClosedBusinessDay(this.db);
  }
}
