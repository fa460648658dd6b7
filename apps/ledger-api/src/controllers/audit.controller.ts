/**
 * The audit endpoints: an account replayed to a moment, its disputes, and a statement explained, all read from the
 * event log (never from a read model), so they answer even when the read models are stale or rebuilding.
 * The module also writes the audit anchors over the global log after each closed business day.
 */
import { Controller, Get, Module, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isValidDate } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { accountDisputes, accountHistoryTo, accountStatementsTo, asOfMoment, AccountNotFoundError, BusinessDayOpenError, AuditAnchorScheduler, explainStatement, PositionNotFoundError, type ReplayTo, RevisionNotFoundError, StatementNotFoundError } from '@ledger/servicing/audit';
import { HistoryPageQuery, HistoryQuery } from '../dto/account-commands.dto';
import { AllowRoles } from '../auth/access-policy';
import { ApiError, notFound } from '../http/errors';
import { AccountHistorySchema, DisputeListSchema, READ_EXTRA_MODELS, StatementExplanationSchema, StatementsAtSchema } from '../http/read-schemas';
import { assertMonth, NO_FIELDS } from '../http/validation';


/** `asOf` as the moment to replay to (`asOfMoment`: a bare date is the end of that day in Asia/Shanghai), or 400. */
function recordedUpTo(asOf: string | undefined): string | undefined {
  if (asOf === undefined) return undefined;
  const moment = asOfMoment(asOf);
  if (moment !== null) return moment;
  throw new ApiError(400, { error: 'VALIDATION_FAILED', message: 'asOf must be a calendar date or an ISO date-time with an offset (in a URL, write + as %2B)', details: [{ field: 'asOf' }] });
}

/** What a replay goes up to, from its query: one of asOf, revision, businessDate or position (everything recorded when none), or 400. */
function replayTo(query: HistoryQuery): ReplayTo {
  const given = (['asOf', 'revision', 'businessDate', 'position'] as const).filter((field) => query[field] !== undefined);
  if (given.length > 1) {
    throw new ApiError(400, { error: 'VALIDATION_FAILED', message: `replay to one of asOf, revision, businessDate or position, not ${given.join(' and ')}`, details: [{ field: given[1] }] });
  }
  if (query.revision !== undefined) return { revision: BigInt(query.revision) };
  if (query.position !== undefined) return { position: BigInt(query.position) };
  if (query.businessDate !== undefined) {
    if (!isValidDate(query.businessDate)) throw new ApiError(400, { error: 'VALIDATION_FAILED', message: 'businessDate must be a calendar date', details: [{ field: 'businessDate' }] });
    return { businessDate: query.businessDate };
  }
  return { asOf: recordedUpTo(query.asOf) };
}

function mapped(error: unknown): never {
  if (error instanceof AccountNotFoundError) throw notFound('account', error.accountId);
  if (error instanceof PositionNotFoundError) {
    throw new ApiError(404, { error: error.code, message: error.message, details: [{ field: 'position', headPosition: error.headPosition.toString() }] });
  }
  if (error instanceof RevisionNotFoundError) {
    throw new ApiError(404, { error: error.code, message: error.message, details: [{ field: 'revision', id: error.accountId, lastRevision: error.lastRevision.toString() }] });
  }
  if (error instanceof StatementNotFoundError) throw notFound('statement', `${error.accountId}/${error.statementId}`);
  if (error instanceof BusinessDayOpenError) {
    throw new ApiError(409, { error: error.code, message: error.message, details: [{ field: 'businessDate', businessDate: error.businessDate, lastClosed: error.lastClosed, ...(error.firstClosed !== null ? { firstClosed: error.firstClosed } : {}) }] });
  }
  throw error;
}

@ApiTags('audit')
@ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND, STATEMENT_NOT_FOUND, EVENT_NOT_FOUND (no event at that revision), POSITION_NOT_FOUND (past the log\'s last position)' })
@ApiExtraModels(...READ_EXTRA_MODELS)
@Controller()
export class AuditController {
  constructor(private readonly store: EventStore) {}

  @Get('accounts/:id/history')
  @ApiOkResponse({ type: AccountHistorySchema, description: 'The events replayed, the account after each, and the final balances' })
  @AllowRoles('auditor', 'operator')
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: asOf, revision, businessDate or position malformed, or more than one given' })
  @ApiConflictResponse({ description: 'BUSINESS_DAY_NOT_CLOSED: businessDate has not closed yet, or is before the ledger\'s first closed day' })
  @ApiOperation({ summary: 'Audit replay: the events recorded up to asOf (or up to a revision, the close of a business day, or a log position), the state after each, and the final balances' })
  history(@Param('id') id: string, @Query() query: HistoryPageQuery) {
    const paged = query.fromRevision !== undefined || query.limit !== undefined;
    const page = paged ? { fromRevision: BigInt(query.fromRevision ?? '0'), limit: query.limit ?? Number.MAX_SAFE_INTEGER } : undefined;
    return accountHistoryTo(this.store, id, replayTo(query), page).catch(mapped);
  }

  @Get('accounts/:id/history/statements')
  @ApiOkResponse({ type: StatementsAtSchema, description: 'The statements as they stood at the end of the replay' })
  @AllowRoles('auditor', 'operator')
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: asOf, revision, businessDate or position malformed, or more than one given' })
  @ApiConflictResponse({ description: 'BUSINESS_DAY_NOT_CLOSED: businessDate has not closed yet, or is before the ledger\'s first closed day' })
  @ApiOperation({
    summary: "The account's statements replayed to a moment (as history takes it): each as GET /accounts/{id}/statements showed it then, its status, what was paid against it and what was outstanding, by the statements read model's own code run over the events in memory",
  })
  statementsAt(@Param('id') id: string, @Query() query: HistoryQuery) {
    return accountStatementsTo(this.store, id, replayTo(query)).catch(mapped);
  }

  @Get('accounts/:id/disputes')
  @ApiOkResponse({ type: DisputeListSchema, description: "The account's disputes, in the order opened" })
  @AllowRoles('auditor', 'operator')
  @ApiOperation({ summary: "The account's disputes: the draw each is about, how it stands, and what an upheld one's reversal did (principal, charges given back, what is to be paid back to the customer)" })
  disputes(@Param('id') id: string, @Query(NO_FIELDS) _query: unknown) {
    return accountDisputes(this.store, id).catch(mapped);
  }

  @Get('accounts/:id/statements/:month/explanation')
  @ApiOkResponse({ type: StatementExplanationSchema, description: 'The statement rebuilt from the events, with its checks' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: month must be YYYY-MM' })
  @ApiOperation({ summary: 'Why a statement says what it says: daily interest table, installment periods, allocations, what upheld disputes took off, rounding residual' })
  explanation(@Param('id') id: string, @Param('month') month: string, @Query(NO_FIELDS) _query: unknown) {
    assertMonth(month);
    return explainStatement(this.store, id, month).catch(mapped);
  }
}

@Module({ controllers: [AuditController], providers: [AuditAnchorScheduler] })
export class AuditHttpModule {}
