import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DEVELOPMENT_ID_HASH_KEY, loadConfig } from '@ledger/servicing';
import { createApp, listenOnEveryInterface } from './bootstrap';
import { generateDemoPortfolio } from './demo/demo-portfolio';
import { exitOnConfigError } from './exit-on-config-error';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  // Some settings (API keys from a file) are checked while the app is built.
  const app = await createApp(config).catch(exitOnConfigError);
  await listenOnEveryInterface(app, config.port);
  const logger = new Logger('Ledger');
  logger.log(`ledger API on http://localhost:${config.port} (store ${config.store}, clock ${config.clock})`);
  logger.log(`OpenAPI docs: http://localhost:${config.port}/docs`);
  logger.log(`dashboard: http://localhost:${config.port}/dashboard`);
  if (config.idHashKey === DEVELOPMENT_ID_HASH_KEY) {
    logger.warn('LEDGER_ID_HASH_KEY is not set: ID numbers are hashed with the development key, which is published in the source, so whoever can list accounts could recover ID numbers from their account ids. Set a secret of your own for a ledger with real data (production refuses to start without one).');
  }
  await generateDemoPortfolio(app);
}

void main();
