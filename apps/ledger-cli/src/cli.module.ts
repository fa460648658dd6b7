import { type DynamicModule, Module } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/servicing';
import { ExplainCommand } from './commands/explain.command';
import { GlCommand } from './commands/gl.command';
import { RebuildCommand } from './commands/rebuild.command';
import { ReplayCommand } from './commands/replay.command';
import { SimulateCommand } from './commands/simulate.command';
import { VerifyCommand } from './commands/verify.command';
import { LedgerFiles } from './ledger-files';

/** The commands and the configured files; each command opens what it needs, so `replay` starts no runner. */
@Module({})
export class CliModule {
  /** `readModelPathGiven`: LEDGER_READ_MODEL_PATH was set, so a read-model file missing there is a mistake, not a default. */
  static forRoot(config: LedgerConfig, readModelPathGiven = false): DynamicModule {
    return {
      module: CliModule,
      providers: [{ provide: LedgerFiles, useValue: new LedgerFiles(config, readModelPathGiven) }, ReplayCommand, ExplainCommand, VerifyCommand, RebuildCommand, SimulateCommand, GlCommand],
    };
  }
}
