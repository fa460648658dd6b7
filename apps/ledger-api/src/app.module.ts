import { type DynamicModule, Module } from '@nestjs/common';
import { LedgerModule, type LedgerConfig } from '@ledger/servicing';
import { AuthModule } from './auth/auth.module';
import { AccountCommandsController } from './controllers/account-commands.controller';
import { ApplicationsController } from './controllers/applications.controller';
import { AuditHttpModule } from './controllers/audit.controller';
import { OperationsController } from './controllers/operations.controller';
import { RootController } from './controllers/root.controller';
import { ObservabilityModule, type ObservabilityOptions } from './observability/observability.module';
import { DashboardController } from './dashboard/dashboard.controller';
import { ReadSideModule } from './read-side/read-side.module';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, observability: ObservabilityOptions = {}): DynamicModule {
    const readSide = ReadSideModule.forRoot(config);
    return {
      module: AppModule,
      imports: [LedgerModule.forRoot(config, { providers: readSide.ledgerProviders, exports: readSide.ledgerExports }), readSide.module, AuditHttpModule, AuthModule.forRoot(config), ObservabilityModule.forRoot(config, observability)],
      controllers: [RootController, ApplicationsController, AccountCommandsController, OperationsController, ...readSide.controllers, DashboardController],
    };
  }
}
