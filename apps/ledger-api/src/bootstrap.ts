/**
 * Builds the Nest application with everything the HTTP contract needs: validation, the error format,
 * body limits, security headers (helmet), API keys with roles and rate limits (AuthModule), OpenAPI at /docs. Used by main.ts and by the end-to-end tests, so tests run the real app.
 *
 * On Fastify (`@nestjs/platform-fastify`) rather than Express since the thirty-first performance round:
 * in alternated pairs commands over HTTP ran about a tenth faster and reads about twice as fast
 * (bench/README.md). `http/fastify-contract.ts` keeps what Express did for this contract.
 */
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { assertLedgerFiles, type LedgerConfig } from '@ledger/servicing';
import { AppModule } from './app.module';
import { AccessSettings } from './auth/access-policy';
import { ErrorFilter, LedgerFileDamage } from './http/errors';
import { BODY_LIMIT_BYTES, FASTIFY_OPTIONS, keepExpressContract } from './http/fastify-contract';
import { InFlightLimit, limitRequestsInFlight } from './http/in-flight-limit';
import { LedgerLogger } from './observability/command-instrumentation';
import { LedgerMetrics } from './observability/ledger-metrics';
import { observeRequests } from './observability/request-hooks';
import { Stopping } from './observability/stopping';
import { completeOpenApi, ErrorBodySchema } from './http/openapi';
import { ledgerValidationPipe } from './http/validation';

export async function createApp(config: LedgerConfig, options: { logger?: false | ('error' | 'warn' | 'log')[]; logDestination?: DestinationStream } = {}): Promise<INestApplication> {
  // The log and the read models must be what their variables say before anything opens (and so creates) them.
  assertLedgerFiles(config);
  // Nest's own messages go through pino too (JSON, LOG_LEVEL); `logger: false` silences both.
  const silent = options.logger === false;
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, { silent, logDestination: options.logDestination }),
    new FastifyAdapter({ ...FASTIFY_OPTIONS, bodyLimit: BODY_LIMIT_BYTES, trustProxy: config.trustProxy }),
    { logger: options.logger ?? ['error', 'warn', 'log'], bufferLogs: !silent, bodyParser: false },
  );
  if (!silent) app.useLogger(app.get(Logger));
  // Every request passes through Fastify hooks, not Nest middlewares (`observeRequests` says why).
  const fastify = app.getHttpAdapter().getInstance();
  keepExpressContract(fastify);
  observeRequests(fastify, app.get(LedgerLogger), app.get(LedgerMetrics));
  // Helmet's defaults, but for `upgrade-insecure-requests`: served over plain HTTP from any host but
  // localhost (a LAN address, an internal network behind no TLS), it sent the browser to fetch the
  // dashboard's script and styles over HTTPS, which the API does not speak, and the page stayed blank.
  const securityHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  limitRequestsInFlight(fastify, app.get(InFlightLimit));
  app.useGlobalPipes(ledgerValidationPipe());
  app.useGlobalFilters(new ErrorFilter({ record: app.get(LedgerFileDamage), config }));
  // Nest's shutdown hooks, after the drain LEDGER_SHUTDOWN_DRAIN_MS asks for (`Stopping`).
  app.get(Stopping).listen(app, config.shutdownDrainMs);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Credit ledger')
      .setDescription('An event-sourced ledger for a revolving consumer credit line (分付 / 花呗). Amounts are decimal strings in CNY. Errors are `{ error, message, details }`.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key of role operator, auditor or viewer' })
      .addSecurityRequirements('bearer')
      .build(),
    { extraModels: [ErrorBodySchema] },
  );
  SwaggerModule.setup('docs', app, completeOpenApi(document, app.get(AccessSettings)));
  return app;
}

/**
 * Initialises the app and makes Fastify ready for requests handed straight to its server (supertest), as
 * `listen` does: until then its routes' hooks are not built.
 */
export async function initApp(app: INestApplication): Promise<void> {
  await app.init();
  await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
}

/**
 * Listens on `port` on every interface, as Node does when given no host: IPv6 and IPv4 (`::`), or IPv4
 * alone (`0.0.0.0`) where the host has no IPv6. Fastify given no host listens on localhost only, which a
 * container's published port or another machine cannot reach.
 */
export async function listenOnEveryInterface(app: INestApplication, port: number): Promise<void> {
  try {
    await app.listen(port, '::');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw error;
    await app.listen(port, '0.0.0.0');
  }
}
