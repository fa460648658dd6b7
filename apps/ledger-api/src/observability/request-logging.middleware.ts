import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LedgerLogger } from './command-instrumentation';
import { logRequest } from './logging';

/**
 * One log line per request (`logRequest`, see logging.ts), applied by ObservabilityModule rather than by
 * nestjs-pino. nestjs-pino would also run every request inside an AsyncLocalStorage so that Nest's
 * logger finds the request's logger; on Node 20 that turns on a promise hook for every promise the
 * process creates, which cost more CPU per request than the logging itself. The one Nest log line written
 * during a request, the error filter's, takes the request's logger from `req.log` instead.
 */
@Injectable()
export class RequestLoggingMiddleware implements NestMiddleware {
  constructor(private readonly logger: LedgerLogger) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    logRequest(this.logger.pino, req, res);
    next();
  }
}
