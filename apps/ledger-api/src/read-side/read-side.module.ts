import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { EndOfDaySchedule, type LedgerConfig } from '@ledger/servicing';
import { AccountQueriesController } from '../controllers/account-queries.controller';
import { HealthController } from '../controllers/health.controller';
import { JournalController } from '../controllers/journal.controller';
import { PortfolioRiskController } from '../controllers/portfolio-risk.controller';
import { QUERY_HANDLERS } from './account.queries';
import { GetControlsHandler } from './controls.query';
import { GetInstallmentPlansHandler } from './installment-plans.query';
import { GetInstallmentQuoteHandler } from './installment-quote.query';
import { JOURNAL_HANDLERS } from './journal.query';
import { GetNextStatementHandler } from './next-statement.query';
import { PORTFOLIO_RISK_HANDLERS } from './portfolio-risk.queries';
import { ProjectedEndOfDaySchedule, ReadModels } from './read-models';

@Module({})
export class ReadSideModule {
  /**
   * The read models live inside the global LedgerModule (end of day needs the schedule); the query
   * handlers and controllers are registered by the app.
   */
  static forRoot(_config: LedgerConfig): { module: DynamicModule; controllers: Type[]; ledgerProviders: Provider[]; ledgerExports: (Type | typeof EndOfDaySchedule)[] } {
    return {
      module: { module: ReadSideModule, providers: [...QUERY_HANDLERS, GetInstallmentQuoteHandler, GetInstallmentPlansHandler, GetNextStatementHandler, GetControlsHandler, ...JOURNAL_HANDLERS, ...PORTFOLIO_RISK_HANDLERS] },
      controllers: [AccountQueriesController, JournalController, PortfolioRiskController, HealthController],
      ledgerProviders: [ReadModels, { provide: EndOfDaySchedule, useClass: ProjectedEndOfDaySchedule }],
      ledgerExports: [ReadModels, EndOfDaySchedule],
    };
  }
}
