/**
 * Structured JSON logs (pino; nestjs-pino as Nest's logger): one line per request with its request id,
 * method, route and status, and one line per command (see command-instrumentation.ts).
 *
 * Personal data never reaches a log. Request bodies and headers are not logged at all (an application
 * body holds an ID number and a name, headers hold API keys); the query string is dropped because it is
 * not needed to follow a request; and redaction covers the field names that hold personal data, in case
 * a body or an applicant ever ends up in a log call's object by mistake.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskIdNumber } from '@ledger/servicing';

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

/**
 * Writes out what the logger's destination still holds, for a process about to end by its signal (no
 * 'exit' event, where pino's asynchronous destination would write it out). A write in flight is waited
 * for (at most `waitMs`), since the lines before it are in it and `flushSync` writes only those after.
 */
export async function flushLogs(logger: Logger, waitMs = 1000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { flushSync?: () => void; _writing?: boolean } | undefined;
  if (!stream) return;
  const deadline = Date.now() + waitMs;
  while (stream._writing === true && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  try {
    stream.flushSync?.();
  } catch {
    // A destination that cannot be written (a closed pipe) loses the lines, as it would have anyway.
  }
}

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

/** A request as the request hooks see it (the Node request under Fastify's), with the route Fastify matched (`keepExpressContract`). */
export interface RoutedRequest extends IncomingMessage {
  routePattern?: string;
}

/** The route template (`/accounts/:id/draws`) the request matched, or undefined for a path no route has. */
export function routeOf(req: RoutedRequest): string | undefined {
  return req.routePattern;
}

/** The request's path, without its query string. */
export function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0];
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Who a 401 turned away, so that after a key rotation the callers still on the old key can be found: the
 * address it came from (the caller's, where LEDGER_TRUST_PROXY names the proxy it came through), and the
 * presented key's fingerprint (the first 8 hex digits of its SHA-256, as a key's default name has them),
 * which tells which key it was without giving it away.
 */
function refusedCaller(req: IncomingMessage, remote: string | undefined): { remote: string | undefined; keyFingerprint?: string } {
  const presented = BEARER.exec(req.headers.authorization ?? '')?.[1];
  return presented ? { remote, keyFingerprint: createHash('sha256').update(presented, 'utf8').digest('hex').slice(0, 8) } : { remote };
}

/** Digits shaped like a resident ID number (18 characters, the last maybe X; or the old 15 digits). */
const ID_NUMBER_LIKE = /\d{17}[\dXx]|\d{15}/;

/** An account id as the ledger makes them (`PersonalData.accountId`): logged as it is. */
const ACCOUNT_ID = /^acc_[0-9a-f]{20}$/;

/** The longest path the request log writes whole: a path may be 16 KiB, and every 404 is logged. */
export const MAX_LOGGED_PATH = 512;

/**
 * A path as the request log writes it: an ID number in it (an operator who looked an account up by the
 * customer's ID number instead of its id) is masked as the ledger stores it, so logs never hold one,
 * however it was written (percent-encoded, with separators, after letters); a name, or anything else
 * not ASCII, which no id of the ledger has, is a `*`; and a long path is cut.
 */
export function loggedPath(path: string): string {
  const logged = path.split('/').map(loggedSegment).join('/');
  return logged.length > MAX_LOGGED_PATH ? `${logged.slice(0, MAX_LOGGED_PATH)}...(${logged.length} characters)` : logged;
}

function loggedSegment(segment: string): string {
  if (ACCOUNT_ID.test(segment)) return segment;
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // Not valid percent-encoding: looked at as sent.
  }
  text = text.replace(/[^\x20-\x7e]+/g, '*');
  // Whatever separates its parts (-, +, spaces, /, :): only the digits and an X are looked at.
  const id = ID_NUMBER_LIKE.exec(text.replace(/[^0-9A-Za-z]/g, ''));
  return id ? maskIdNumber(id[0]) : text;
}

/**
 * The request id is the caller's X-Request-Id when it is a sane token, or a new UUID. It is written back
 * into the request headers so that the command metadata (which reads X-Request-Id as the correlation id)
 * and the log line carry the same id, and returned to the caller so a support ticket can quote it.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  res.setHeader('X-Request-Id', id);
  return id;
}

type Level = 'info' | 'warn' | 'error';

/** What a request's handlers may log through `req.log`. */
export interface RequestLog {
  error(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** A request's line: `info` for an answer, `warn` for a refusal (4xx), `error` for a failure (5xx or a broken response). */
function levelOf(statusCode: number, failed: boolean): Level {
  return failed || statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/**
 * One log line per request once it is answered (or its connection closed first): the request id, the
 * method and path, the route template, the status and the time taken. Probes get an id but no line.
 *
 * The line carries the fields pino-http wrote for this ledger before (`reqId`, `req`, `res`,
 * `responseTime`, `route`, and `err` on a failure), and is built only when its level is logged.
 * pino-http built two child loggers per request whatever the level (one of them serializing and
 * redacting the request), about 6% of the CPU of an HTTP command.
 *
 * `req.log` writes an error or warning line bound to the request id (the error filter writes with it);
 * the child logger it needs is built only then.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, remoteOf: () => string | undefined = () => req.socket?.remoteAddress): void {
  const started = Date.now();
  const id = requestId(req, res);
  const bound = () => logger.child({ reqId: id });
  const log: RequestLog = { error: (object, message) => bound().error(object, message), warn: (object, message) => bound().warn(object, message) };
  (req as unknown as { log: RequestLog }).log = log;
  const routed = req as RoutedRequest;
  // The original URL's path, which routing leaves as it is: taken once.
  const path = pathOf(routed);
  const complete = (error?: Error) => {
    res.removeListener('close', complete);
    res.removeListener('finish', complete);
    res.removeListener('error', complete);
    const level = levelOf(res.statusCode, error !== undefined);
    if (!logger.isLevelEnabled(level)) return;
    const route = routeOf(routed);
    const line: Record<string, unknown> = {
      reqId: id,
      req: { id, method: req.method, path: loggedPath(path) },
      // Null when the connection closed before an answer went out: the status set by then was never sent.
      res: { statusCode: res.headersSent ? res.statusCode : null },
      responseTime: Date.now() - started,
      route,
    };
    if (level === 'error') line.err = error ?? new Error(`failed with status code ${res.statusCode}`);
    if (res.statusCode === 401) Object.assign(line, refusedCaller(req, remoteOf()));
    logger[level](line, `${req.method} ${route ?? loggedPath(path)} ${res.statusCode}`);
  };
  // A probe's answer is not logged, but a response that fails is, probes included; and a response with
  // no 'error' listener takes the process down when it errs.
  res.on('error', complete);
  if (PROBE_PATHS.test(path)) return;
  res.on('close', complete);
  res.on('finish', complete);
}
