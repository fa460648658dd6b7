/**
 * Structured JSON logs (pino through nestjs-pino): one line per request with its request id, method,
 * route and status, and one line per command (see command-instrumentation.ts).
 *
 * Personal data never reaches a log. Request bodies and headers are not logged at all (an application
 * body holds an ID number and a name, headers hold API keys); the query string is dropped because it is
 * not needed to follow a request; and redaction covers the field names that hold personal data, in case
 * a body or an applicant ever ends up in a log call's object by mistake.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';

/** Field names that hold personal data, at the depths a log object could carry them. */
const PERSONAL_FIELDS = ['idNumber', 'name', 'applicant', 'body', 'phone', 'debitCard', 'autoRepayCardLast4'];
export const REDACTED_PATHS = [
  ...PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'req.headers',
  'headers.authorization',
  'headers["x-api-key"]',
];

/** Probes and scrapes: they arrive every few seconds (a log line each would drown the requests that matter), and must be answered under any load. */
export const PROBE_PATHS = /^\/(health|metrics)(\/|$|\?)/;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createLedgerLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'ledger' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

interface RoutedRequest extends IncomingMessage {
  route?: { path?: string };
  baseUrl?: string;
  originalUrl?: string;
}

/** The route template (`/accounts/:id/draws`) once matched, or the path without its query string. */
export function routeOf(req: RoutedRequest): string | undefined {
  return req.route?.path !== undefined ? `${req.baseUrl ?? ''}${req.route.path}` : undefined;
}

function pathOf(req: RoutedRequest): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0];
}

/**
 * The request id is the caller's X-Request-Id when it is a sane token, or a new UUID. It is written back
 * into the request headers so that the command metadata (which reads X-Request-Id as the correlation id)
 * and the log line carry the same id, and returned to the caller so a support ticket can quote it.
 */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  res.setHeader('X-Request-Id', id);
  return id;
}

export function httpLoggingOptions(logger: Logger): PinoHttpOptions {
  return {
    logger,
    genReqId: requestId,
    quietReqLogger: true,
    autoLogging: { ignore: (req) => PROBE_PATHS.test(pathOf(req as RoutedRequest)) },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${routeOf(req as RoutedRequest) ?? pathOf(req as RoutedRequest)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${routeOf(req as RoutedRequest) ?? pathOf(req as RoutedRequest)} ${res.statusCode}`,
    // The request is serialized when it arrives, before routing; the route template is known at the end.
    customSuccessObject: (req, _res, value: object) => ({ ...value, route: routeOf(req as RoutedRequest) }),
    customErrorObject: (req, _res, _error, value: object) => ({ ...value, route: routeOf(req as RoutedRequest) }),
    serializers: {
      req: (req: { id: unknown; method: string; url: string; raw?: RoutedRequest }) => ({
        id: req.id,
        method: req.method,
        path: req.raw ? pathOf(req.raw) : req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
