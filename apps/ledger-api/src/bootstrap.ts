/**
 * Builds the Nest application with everything the HTTP contract needs: validation, the error format,
 * body limits, security headers (helmet), API keys with roles and rate limits (AuthModule), OpenAPI at /docs. Used by main.ts and by the end-to-end tests, so tests run the real app.
 */
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { LedgerConfig } from '@ledger/servicing';
import { AppModule } from './app.module';
import { ErrorFilter } from './http/errors';
import { ledgerValidationPipe } from './http/validation';

export async function createApp(config: LedgerConfig, options: { logger?: false | ('error' | 'warn' | 'log')[]; logDestination?: DestinationStream } = {}): Promise<INestApplication> {
  // Nest's own messages go through pino too (JSON, LOG_LEVEL); `logger: false` silences both.
  const silent = options.logger === false;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { silent, logDestination: options.logDestination }), {
    logger: options.logger ?? ['error', 'warn', 'log'],
    bufferLogs: !silent,
    bodyParser: false,
  });
  if (!silent) app.useLogger(app.get(Logger));
  app.use(helmet());
  app.useBodyParser('json', { limit: '64kb' });
  app.useGlobalPipes(ledgerValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Credit ledger')
      .setDescription('An event-sourced ledger for a revolving consumer credit line (分付 / 花呗). Amounts are decimal strings in CNY. Errors are `{ error, message, details }`.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key of role operator, auditor or viewer' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
