/**
 * What the OpenAPI document says beyond each route's own decorators: the error body every error
 * answer carries, the shapes of the command and operations answers, and the answers any route may give
 * because of what stands in front of it (the API key and its role, the rate limit, the in-flight limit,
 * the body parser, the read models' consistency wait). Those come from the same rules the guards and
 * the error filter apply (`accessOf`, `toErrorResponse`), so the document cannot list a role a
 * route refuses or leave out a status it answers.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiNotFoundResponse, ApiProperty, ApiPropertyOptional, ApiQuery, type OpenAPIObject } from '@nestjs/swagger';
import { accessOf, AccessSettings, METRICS } from '../auth/access-policy';

export class ErrorBodySchema {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'A stable code: the domain rule, conflict or input problem' })
  error!: string;

  @ApiProperty({ example: 'amount: amount must be a decimal string with at most 2 decimals', description: 'For a person; may change between versions' })
  message!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ field: 'amount', problems: ['amount must be a decimal string with at most 2 decimals'] }],
    description: 'Objects naming what was at fault: `field` for an input, or the ids and figures of the conflict; empty when there is nothing to name',
  })
  details!: Record<string, unknown>[];
}

export class AccountSummarySchema {
  @ApiProperty({ enum: ['NONE', 'REJECTED', 'APPROVED', 'ACTIVE', 'CLOSED'], example: 'ACTIVE' }) status!: string;
  @ApiProperty({ example: '5000.00' }) limit!: string;
  @ApiProperty({ example: '4411.50', description: 'What may be drawn now' }) available!: string;
  @ApiProperty({ example: '588.50', description: 'Everything owed: principal, interest, fees and penalty' }) owed!: string;
  @ApiProperty({ description: 'Frozen for an overdue' }) frozen!: boolean;
  @ApiProperty({ description: 'Suspended by risk control' }) suspended!: boolean;
  @ApiProperty({ description: 'Locked after failed payment authentications' }) paymentLocked!: boolean;
}

export class CommandEventSchema {
  @ApiProperty({ example: 'DrawPosted' }) type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's data as recorded; amounts are decimal strings" }) data!: Record<string, unknown>;
}

export class CommandAnswerSchema {
  @ApiProperty({ example: '6f1c1f3e-2b4c-5d7e-9a1b-3c5d7e9f1a2b' }) accountId!: string;
  @ApiProperty({ description: 'true when this answers a retry of a command already taken (nothing was appended)' }) replayed!: boolean;
  @ApiProperty({ example: '120433', description: "Global log position of the command's last event: pass it as `?after=` to a query to read your own write" }) position!: string;
  @ApiProperty({ type: [CommandEventSchema], description: 'The events the command appended, in order (those of the first time, on a retry)' }) events!: CommandEventSchema[];
  @ApiProperty({ type: AccountSummarySchema, description: "The account after the command; on a retry (`replayed`), the account as it stands now, which later commands may have moved since the first answer: the events and position are the first answer's, the figures are today's" }) account!: AccountSummarySchema;
}

export class DrawAnswerSchema extends CommandAnswerSchema {
  @ApiProperty({ example: 'ORD-20270115-0001' }) orderId!: string;
  @ApiProperty({ enum: ['POSTED', 'DECLINED'] }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it was declined (a domain code), or null' }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) detail!: string | null;
}

export class ApplicationDecisionSchema extends CommandAnswerSchema {
  @ApiProperty({ enum: ['APPROVED', 'REJECTED'] }) decision!: string;
  @ApiProperty({ type: [String], example: [], description: 'The eligibility rules an application failed (empty when approved)' }) reasons!: string[];
  @ApiPropertyOptional({ example: '5000.00', description: 'Approved only' }) limit?: string;
  @ApiPropertyOptional({ example: '0.00045' }) dailyRate?: string;
  @ApiPropertyOptional({ example: '0.16425' }) annualRate?: string;
  @ApiPropertyOptional({ example: '0.045%' }) dailyRatePercent?: string;
  @ApiPropertyOptional({ example: '16.43%' }) annualRatePercent?: string;
  @ApiPropertyOptional({ example: '0.00065' }) penaltyDailyRate?: string;
}

export class ClockSchema {
  @ApiProperty({ enum: ['system', 'manual'] }) mode!: string;
  @ApiProperty({ example: '2027-02-02T00:30:00+08:00' }) now!: string;
  @ApiProperty({ example: '2027-02-02', description: 'The business date (Asia/Shanghai) of `now`' }) businessDate!: string;
  @ApiProperty({ type: String, nullable: true, example: '2027-02-01', description: 'null until the first end of day' }) lastClosedBusinessDate!: string | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 0,
    description: 'Business days over and not yet closed (from the day after the last closed to the day before the business date); null until the first end of day. Days past due, buckets and statements wait for them.',
  })
  daysNotClosed!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'A business day whose end of day has begun and not finished: running now (the read models then show it part-applied), or interrupted by a crash and to be closed again. null otherwise.',
  })
  closeBegun!: string | null;
}

export class EndOfDayReportSchema {
  @ApiProperty({ example: '2027-02-01' }) businessDate!: string;
  @ApiProperty({ example: '2027-02-02T00:30:05.120+08:00' }) closedAt!: string;
  @ApiProperty({ type: 'integer', example: 1834, description: 'Accounts end of day visited' }) accounts!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { StatementIssued: 1834 }, description: 'Events appended, by type' }) counts!: Record<string, number>;
  @ApiProperty({ description: 'true when the day had closed before: this is its first report' }) alreadyClosed!: boolean;
  @ApiProperty({ example: '259188', description: "Global log position of the day's BusinessDayClosed event" }) position!: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const ERROR_REF = { $ref: '#/components/schemas/ErrorBodySchema' };

interface Header {
  description: string;
  schema: { type: string; minimum?: number };
}

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }>; headers?: Record<string, Header> }>;
  security?: unknown[];
}

/** Sent with every answer (`requestId`), a refusal of an unreadable path included. */
const REQUEST_ID: Header = {
  description: "The request's id: the caller's own X-Request-Id when it is 1 to 128 of A-Z a-z 0-9 . _ : -, else a new UUID. The request's log lines carry it: quote it when reporting a problem.",
  schema: { type: 'string' },
};

const retryAfter = (when: string): Header => ({ description: `Seconds to wait before sending the request again; ${when}`, schema: { type: 'integer', minimum: 0 } });

/** What the document cannot say route by route: an answer to a method no route of a path takes. */
const ANSWERS_OF_EVERY_ROUTE =
  'Every answer carries an X-Request-Id header. A path no route matches is 404 NOT_FOUND; a path some route matches under other methods is 405 METHOD_NOT_ALLOWED, with an `Allow` header naming the methods it takes (OpenAPI has no place for a status of a method a path does not list). A path that is not valid percent-encoding is 400 MALFORMED_REQUEST, whatever the route.';

function add(op: Operation, status: number, codes: string): void {
  const existing = op.responses[status];
  if (!existing) op.responses[status] = { description: codes };
  else if (!existing.description.includes(codes)) existing.description = existing.description ? `${existing.description}; ${codes}` : codes;
}

/** The extension that marks a read of the log itself (`ReadsTheLog`). */
const READS_THE_LOG = 'x-reads-the-log';

/**
 * A read from the account's events, not the read models: it takes `after` and `consistency` as every read
 * does, and they change nothing, so none of the read models' refusals is documented for it.
 */
export const ReadsTheLog = () => applyDecorators(ApiExtension(READS_THE_LOG, true), ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND' }));

/** The read-consistency parameters every read takes (`ReadConsistencyQuery`), documented once on a controller of reads. */
export const ReadConsistencyParams = () =>
  applyDecorators(
    ApiQuery({ name: 'after', required: false, description: 'Wait until the read models have applied this global position (from a command answer), and no longer, with either consistency' }),
    ApiQuery({ name: 'consistency', required: false, enum: ['strong', 'eventual'], description: 'strong (default) waits for the events appended before the query; eventual reads at once (with `after`, once that position is applied)' }),
  );

/** Adds to `document` the answers every route may give because of what stands in front of it, the error body's schema to every error answer, and the headers the answers carry. */
export function completeOpenApi(document: OpenAPIObject, settings = new AccessSettings(false)): OpenAPIObject {
  document.info.description = document.info.description ? `${document.info.description}\n\n${ANSWERS_OF_EVERY_ROUTE}` : ANSWERS_OF_EVERY_ROUTE;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const access = accessOf(method, path, settings);
      // Fastify refuses a path it cannot decode before routing it (`answerUnroutable`), so any route's path may be answered so.
      add(op, 400, 'MALFORMED_REQUEST: the path is not valid percent-encoding');
      if (access === 'open') {
        op.security = [];
        if (METRICS.test(path)) add(op, 429, "RATE_LIMITED: the address's requests per minute are spent; see Retry-After");
      } else {
        add(op, 400, 'VALIDATION_FAILED: a query parameter the route does not take, or a value it refuses');
        add(op, 401, 'MISSING_API_KEY, INVALID_API_KEY');
        add(op, 403, `ROLE_NOT_ALLOWED: this route takes a key of role ${access.join(', ')}`);
        add(op, 429, "RATE_LIMITED: the key's (or address's) requests per minute are spent; see Retry-After");
        add(op, 503, 'OVERLOADED: the API is working on as many requests as it takes at once; retry after Retry-After');
        if (method === 'get') add(op, 503, 'STORE_UNAVAILABLE: the event store did not answer; retry later');
        else {
          add(op, 503, 'STORE_UNAVAILABLE: the event store did not answer, so the command may have been recorded or not; retry it with the same Idempotency-Key, or the same id where the command has its own (recorded at most once)');
          add(op, 500, "APPEND_TOO_LARGE: the command's events are more than the event store takes in one append (EventStoreDB's MaxAppendSize set too low); nothing was recorded");
        }
        // Commands, and reads of an account's own stream, read the stream, which EventStoreDB may hold deleted.
        if (method !== 'get' || path.startsWith('/accounts/{id}')) add(op, 410, "STREAM_DELETED: the account's history was deleted in the event store, outside the ledger; an operator must restore it");
      }
      if (op.requestBody) {
        add(op, 400, 'MALFORMED_JSON');
        add(op, 413, 'PAYLOAD_TOO_LARGE: the body is larger than 64 kB');
        add(op, 415, 'UNSUPPORTED_MEDIA_TYPE: send the body as application/json');
      }
      if (op.parameters?.some((p) => p.in === 'query' && p.name === 'consistency') && (op as unknown as Record<string, unknown>)[READS_THE_LOG] !== true) {
        add(op, 400, 'VALIDATION_FAILED: `after` past the head of the log');
        add(op, 503, 'READ_MODELS_BEHIND (retry, or read with consistency=eventual), PROJECTIONS_UNAVAILABLE, READ_MODELS_AHEAD_OF_LOG (another log\'s read models), READ_MODELS_OTHER_BUILD (beside a projector of another build)');
      }
      for (const [status, response] of Object.entries(op.responses)) {
        // The health probes document their own body for 503 (not ready); every other error is the error body.
        if (Number(status) >= 400 && response.content === undefined) response.content = { 'application/json': { schema: ERROR_REF } };
        response.headers = { ...response.headers, 'X-Request-Id': REQUEST_ID };
        if (status === '429') response.headers['Retry-After'] = retryAfter('until the rate limit window lets the key (or address) in again');
        // Only the in-flight limit knows when to come back; the store's and the read models' 503s carry no Retry-After.
        if (status === '503' && access !== 'open') response.headers['Retry-After'] = retryAfter('sent with OVERLOADED only');
      }
    }
  }
  return document;
}
