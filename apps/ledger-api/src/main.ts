import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@ledger/servicing';
import { createApp } from './bootstrap';
import { generateDemoPortfolio } from './demo/demo-portfolio';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port);
  const logger = new Logger('Ledger');
  logger.log(`ledger API on http://localhost:${config.port} (store ${config.store}, clock ${config.clock})`);
  logger.log(`OpenAPI docs: http://localhost:${config.port}/docs`);
  logger.log(`dashboard: http://localhost:${config.port}/dashboard`);
  await generateDemoPortfolio(app);
}

void main();
