import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ConfigError, loadConfig } from '@ledger/servicing';
import { CliModule } from './cli.module';
import { CliError } from './output';

/** Exit codes: 0 clean, 1 findings (verify), 2 a usage or input error, 3 an unexpected failure, 78 configuration. */
function fail(error: Error): void {
  if (error instanceof CliError) {
    process.stderr.write(`ledger: ${error.message}\n`);
    process.exitCode = error.exitCode;
    return;
  }
  process.stderr.write(`ledger: ${error.stack ?? error.message}\n`);
  process.exitCode = 3;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exitCode = 78;
    return;
  }
  await CommandFactory.run(CliModule.forRoot(config), {
    cliName: 'ledger',
    logger: ['error', 'warn'],
    serviceErrorHandler: fail,
    errorHandler: (error) => {
      // Commander reports --help and --version as errors with exit code 0.
      const code = (error as { exitCode?: number }).exitCode;
      process.exitCode = code === 0 ? 0 : 2;
    },
  });
}

void main();
