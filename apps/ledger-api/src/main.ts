import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@ledger/servicing';
import { createApp } from './bootstrap';
import { generateDemoPortfolio } from './demo/demo-portfolio';

/** A wrong setting stops start-up with one line naming the variable and exit code 78 (EX_CONFIG). */
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(78);
  }
  throw error;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  // Some settings (API keys from a file) are checked while the app is built.
  const app = await createApp(config).catch(exitOnConfigError);
  await app.listen(config.port);
  const logger = new Logger('Ledger');
  logger.log(`ledger API on http://localhost:${config.port} (store ${config.store}, clock ${config.clock})`);
  logger.log(`OpenAPI docs: http://localhost:${config.port}/docs`);
  logger.log(`dashboard: http://localhost:${config.port}/dashboard`);
  await generateDemoPortfolio(app);
}

void main();
