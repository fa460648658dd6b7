/**
 * Every error leaves as `{ error, message, details }` with one status rule, here and nowhere else:
 * 400 malformed input, 404 unknown things, 409 conflicts and duplicates, 410 the account's stream deleted
 * in the store, 422 a product rule refused it, 500 what only an operator can fix (the store's append size
 * set below what a command writes), 503 the store is unavailable. No stack trace ever reaches a response.
 */
import { type ArgumentsHost, BadRequestException, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLog } from '../observability/logging';
import { allowedMethods } from './fastify-contract';
import { CONFLICT_CODES, DOMAIN_ERROR_CODES, DomainError, type DomainErrorCode, MoneyFormatError } from '@ledger/credit';
import { AppendTooLargeError, ConcurrencyError, StoreUnavailableError, StreamDeletedError } from '@ledger/event-store';
import { ProjectionLagTimeoutError, QueryInputError } from '@ledger/projections';
import { BusinessDayAlreadyClosedError, BusinessDayNotClosedError, ClockError, damagedFileNote, IdHashKeyMismatchError, ConcurrencyRetriesExhaustedError, EndOfDayError, IdempotencyKeyReusedError, type LedgerConfig } from '@ledger/servicing';

export interface ErrorBody {
  error: string;
  message: string;
  details: unknown[];
}

const NOT_FOUND: ReadonlySet<DomainErrorCode> = new Set<DomainErrorCode>(['ACCOUNT_NOT_FOUND', 'DRAW_NOT_FOUND', 'STATEMENT_NOT_FOUND', 'INSTALLMENT_PLAN_NOT_FOUND', 'DISPUTE_NOT_FOUND']);
const MALFORMED: ReadonlySet<DomainErrorCode> = new Set<DomainErrorCode>(['INVALID_AMOUNT', 'INVALID_ID_NUMBER', 'INVALID_PAY_SCORE']);

/** The status a domain refusal answers with: unknown things 404, conflicts 409, malformed input 400, the product's rules 422. */
export function statusOfDomainCode(code: DomainErrorCode): 400 | 404 | 409 | 422 {
  return NOT_FOUND.has(code) ? 404 : CONFLICT_CODES.has(code) ? 409 : MALFORMED.has(code) ? 400 : 422;
}

/** The domain codes answered with `status`, for the OpenAPI document. */
export function domainCodesAnswering(status: 400 | 404 | 409 | 422): DomainErrorCode[] {
  return DOMAIN_ERROR_CODES.filter((code) => statusOfDomainCode(code) === status);
}

export class ApiError extends HttpException {
  constructor(status: number, readonly body: ErrorBody) {
    super(body, status);
  }
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(HttpStatus.NOT_FOUND, { error: `${what.toUpperCase()}_NOT_FOUND`, message: `no ${what.toLowerCase().replace(/_/g, ' ')} ${id}`, details: [{ id }] });
}

function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    // class-validator says "property x should not exist" of a field the request may not carry: say it plainly.
    const problems = e.constraints ? Object.entries(e.constraints).map(([rule, text]) => (rule === 'whitelistValidation' ? `${field} is not a field or parameter of this request` : text)) : [];
    const own = problems.length > 0 ? [{ field, problems }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

export function validationException(errors: ValidationError[]): ApiError {
  const details = flatten(errors);
  return new ApiError(HttpStatus.BAD_REQUEST, {
    error: 'VALIDATION_FAILED',
    message: details.map((d) => `${d.field}: ${d.problems.join('; ')}`).join(' | ') || 'the request is malformed',
    details,
  });
}

/**
 * What a 503 STORE_UNAVAILABLE says. To a command it says that the write's outcome is unknown: the store
 * may have recorded it without answering (a timeout, a connection lost, a writer that stopped after its
 * commit), and the same command id records it once, so the retry to send is the same one.
 */
function storeUnavailableMessage(method: string | undefined): string {
  return !isRead(method)
    ? 'the event store did not answer, so this command may have been recorded or not; retry it with the same Idempotency-Key, or the same id where the command has its own (an order id, a repayment reference): it is recorded at most once'
    : 'the event store is unavailable; retry later';
}

/** Whether a request of `method` only reads (an unknown method counts as a read: no write to speak of). */
function isRead(method: string | undefined): boolean {
  return method === undefined || method === 'GET' || method === 'HEAD';
}

/** `method` is the request's: a command (any method but GET and HEAD) is told how to retry a write it cannot know the outcome of. */
export function toErrorResponse(exception: unknown, method?: string): { status: number; body: ErrorBody } {
  if (exception instanceof ApiError) return { status: exception.getStatus(), body: exception.body };
  if (exception instanceof DomainError) {
    const status = statusOfDomainCode(exception.code);
    return { status, body: { error: exception.code, message: exception.message, details: Object.keys(exception.details).length > 0 ? [exception.details] : [] } };
  }
  if (exception instanceof IdempotencyKeyReusedError) return { status: 409, body: { error: exception.code, message: exception.message, details: [{ commandId: exception.commandId }] } };
  if (exception instanceof ConcurrencyRetriesExhaustedError || exception instanceof ConcurrencyError) {
    return { status: 409, body: { error: 'CONCURRENCY_CONFLICT', message: exception.message, details: [] } };
  }
  // Found at an application when the store did not answer at start (else the start itself stops, exit 78).
  if (exception instanceof IdHashKeyMismatchError) return { status: 503, body: { error: 'ID_HASH_KEY_MISMATCH', message: exception.message, details: [{ variable: 'LEDGER_ID_HASH_KEY' }] } };
  if (exception instanceof BusinessDayAlreadyClosedError) {
    return { status: 409, body: { error: exception.code, message: exception.message, details: [{ businessDate: exception.businessDate, lastClosed: exception.lastClosed }] } };
  }
  if (exception instanceof BusinessDayNotClosedError) {
    return { status: 409, body: { error: exception.code, message: exception.message, details: [{ businessDate: exception.businessDate, lastClosed: exception.lastClosed, toClose: exception.toClose }] } };
  }
  if (exception instanceof ClockError) {
    const malformed = exception.code === 'INVALID_DATE_TIME';
    const status = malformed ? 400 : exception.code === 'CLOCK_JUMP_TOO_FAR' ? 422 : 409;
    return { status, body: { error: exception.code, message: exception.message, details: malformed ? [{ field: 'now' }] : Object.keys(exception.details).length > 0 ? [exception.details] : [] } };
  }
  if (exception instanceof EndOfDayError) {
    // Stopped for shutdown: nothing wrong with the request, send it again once the ledger is back.
    const status = exception.code === 'INVALID_BUSINESS_DATE' ? 400 : exception.code === 'END_OF_DAY_STOPPED' ? 503 : 409;
    return { status, body: { error: exception.code, message: exception.message, details: [exception.details] } };
  }
  if (exception instanceof QueryInputError) return { status: 400, body: { error: 'VALIDATION_FAILED', message: exception.message, details: [{ field: exception.field }] } };
  if (exception instanceof ProjectionLagTimeoutError) {
    // Only end of day waits for them among the commands (it reads its accounts from their schedule):
    // `consistency=eventual` is no advice there, and the likely cause is a projector that is not running.
    const message = isRead(method)
      ? 'the read models did not catch up in time; retry, or read with consistency=eventual'
      : `the read models did not reach the log's head within ${Math.round(exception.timeoutMs / 1000)} s, and end of day reads its accounts from them: nothing was closed. Is the projector (or the projections worker) running? GET /health says; send it again once they have caught up`;
    return { status: 503, body: { error: 'READ_MODELS_BEHIND', message, details: [] } };
  }
  if (exception instanceof MoneyFormatError) return { status: 400, body: { error: 'INVALID_AMOUNT', message: exception.message, details: [] } };
  if (exception instanceof StoreUnavailableError) return { status: 503, body: { error: 'STORE_UNAVAILABLE', message: storeUnavailableMessage(method), details: [] } };
  // SQLite found a page of the log or of the read models damaged: nothing the caller can change, and the
  // instance is unready from now on (`LedgerFileDamage`). Which file, and what to do, is in the log only.
  if (isDamagedFile(exception)) return { status: 503, body: { error: 'LEDGER_FILE_DAMAGED', message: 'a file of the ledger is damaged, so this cannot be answered until an operator repairs it (the ledger\'s log names the file and what to do); another instance may answer', details: [] } };
  // Neither is the caller's to fix, nor goes away by retrying: the filter logs both for an operator.
  if (exception instanceof StreamDeletedError) {
    return { status: 410, body: { error: 'STREAM_DELETED', message: "the account's history was deleted in the event store (outside the ledger, which never deletes it): it can be neither read nor written until an operator restores it", details: [] } };
  }
  if (exception instanceof AppendTooLargeError) {
    const limit = exception.maxAppendSize === undefined ? '' : ` (${exception.maxAppendSize} bytes)`;
    return { status: 500, body: { error: 'APPEND_TOO_LARGE', message: `the events this command records are more than the event store takes in one append${limit}; nothing was recorded. The store's limit (EventStoreDB's MaxAppendSize) is set below what the ledger writes`, details: exception.maxAppendSize === undefined ? [] : [{ maxAppendSize: exception.maxAppendSize }] } };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
    // Fastify's own refusals arrive here too, as Nest wraps them: a body too large (413) or of a type the
    // ledger does not read (415). A failure of its own (500) says no more than any other.
    if (status === 500) return { status, body: INTERNAL_ERROR };
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 404 ? 'NOT_FOUND' : status === 400 ? 'MALFORMED_REQUEST' : status === 429 ? 'RATE_LIMITED' : HttpStatus[status] ?? 'HTTP_ERROR';
    const said =
      status === 413
        ? 'the body is larger than 64 kB'
        : status === 415
          ? 'send the body as application/json'
          : status === 429
            ? "this key's (or, without a valid key, this address's) requests for the minute are spent; retry after Retry-After seconds"
            : message;
    return { status, body: { error: code, message: said, details: [] } };
  }
  // The static files (the OpenAPI page's) answer a Range or a precondition they cannot meet with an
  // http-errors error of its own 4xx status (416, 412), exposed to the client as such.
  const clientError = exposedClientError(exception);
  if (clientError) return { status: clientError.status, body: { error: HttpStatus[clientError.status] ?? 'HTTP_ERROR', message: clientError.message, details: [] } };
  return { status: 500, body: INTERNAL_ERROR };
}

function exposedClientError(exception: unknown): { status: number; message: string } | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { status, expose } = exception as Error & { status?: unknown; expose?: unknown };
  if (expose !== true || typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) return undefined;
  return { status, message: exception.message };
}

/** A request no route matched whose path some route answers under other methods: 405, naming them. */
function methodNotAllowed(exception: unknown, request: FastifyRequest | undefined): { status: number; body: ErrorBody } | undefined {
  if (!(exception instanceof NotFoundException) || request === undefined || !('server' in request) || request.routeOptions?.url !== undefined) return undefined;
  const path = request.url.split('?')[0];
  const allowed = allowedMethods(request.server, path);
  // A route that takes this method sent the request to the not-found handler itself (a static file
  // that is not there): a 404, not a method to change.
  if (allowed.length === 0 || allowed.includes(request.method)) return undefined;
  return { status: 405, body: { error: 'METHOD_NOT_ALLOWED', message: `${request.method} is not a method of ${path}: it takes ${allowed.join(', ')}`, details: [{ allowed }] } };
}

/** The 503s that answer a state the ledger is in, not a failure: logged at warn without a stack. */
const EXPECTED_UNAVAILABLE = new Set(['READ_MODELS_BEHIND', 'END_OF_DAY_STOPPED', 'PROJECTIONS_UNAVAILABLE', 'READ_MODELS_AHEAD_OF_LOG']);

function isDamagedFile(exception: unknown): boolean {
  const code = (exception as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB';
}

/**
 * A damaged file, once a request has met one: readiness fails from then on (the process must be
 * restarted once the file is repaired: its connections hold the damaged one). Which files it may be and
 * what to do, with their paths, go to the log only (`damagedFileNote`).
 */
export class LedgerFileDamage {
  /** SQLite's code (SQLITE_CORRUPT, SQLITE_NOTADB): what the open health probes may say. */
  code: string | undefined;
}

/** An answer below 500 that only an operator can act on: logged as an error with its stack all the same. */
const FOR_AN_OPERATOR = new Set(['STREAM_DELETED']);

const INTERNAL_ERROR: ErrorBody = { error: 'INTERNAL_ERROR', message: 'an unexpected error occurred; it has been logged', details: [] };

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly damage: { record: LedgerFileDamage; config: Pick<LedgerConfig, 'store' | 'sqlitePath' | 'readModelPath'> },
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply | ServerResponse>();
    const request = http.getRequest<FastifyRequest | undefined>();
    const { status, body } = methodNotAllowed(exception, request) ?? toErrorResponse(exception, request?.method);
    // The request log is on the Node request (`logRequest`); Fastify's request, which wraps it, has a
    // `log` of its own. A middleware's failure is handed over with the Node request itself.
    const node = (request && 'raw' in request ? request.raw : request) as { log?: RequestLog } | undefined;
    if (status >= 500 || FOR_AN_OPERATOR.has(body.error)) {
      // A state the ledger reports as it should (the read models behind, a stop under way) is a warning
      // with its message, once a request; a failure is an error with its stack.
      if (EXPECTED_UNAVAILABLE.has(body.error)) this.log(`${body.error}: ${body.message}`, node ?? {}, 'warn');
      else if (body.error === 'LEDGER_FILE_DAMAGED') {
        this.damage.record.code ??= String((exception as { code?: unknown }).code);
        this.log(`LEDGER_FILE_DAMAGED: ${damagedFileNote(exception, this.damage.config) ?? String(exception)}`, node ?? {}, 'error');
      } else this.log(exception instanceof Error ? exception.stack ?? exception.message : String(exception), node ?? {}, 'error');
    }
    // A middleware's failure comes with the Node response, which has no `status` or `send`.
    if (response instanceof ServerResponse) {
      if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    } else {
      if (status === 405) void response.header('allow', (body.details[0] as { allowed: string[] }).allowed.join(', '));
      void response.status(status).send(body);
    }
  }

  /**
   * With the request's id, so the failure can be found from the X-Request-Id a caller quotes: the request
   * logging hook gave the request a log bound to that id (`logRequest`). The line is the one Nest's logger
   * would write through nestjs-pino (context `Errors`).
   */
  private log(message: string, request: { log?: RequestLog }, level: 'error' | 'warn'): void {
    if (request.log) request.log[level]({ context: 'Errors' }, message);
    else this.logger[level](message);
  }
}

export { BadRequestException };
