import { Controller, Get, Param, Query, Req, StreamableFile } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AccountFiltersQuery, AccrualsQuery, InstallmentQuoteQuery, ListAccountsQuery as ListAccountsParams, ReadConsistencyQuery } from '../dto/account-commands.dto';
import {
  AccountPageSchema,
  AccountViewSchema,
  AccrualsViewSchema,
  ControlsSchema,
  InstallmentPlanListSchema,
  InstallmentQuoteSchema,
  LimitReviewListSchema,
  NextStatementSchema,
  PortfolioAccrualDaySchema,
  PortfolioSchema,
  READ_EXTRA_MODELS,
  StatementListSchema,
  StatementViewSchema,
} from '../http/read-schemas';
import { ReadConsistencyParams, ReadsTheLog } from '../http/openapi';
import { assertMonth } from '../http/validation';
import {
  ExportAccountsQuery,
  GetAccountQuery,
  GetAccrualsQuery,
  GetLimitReviewsQuery,
  GetPortfolioAccrualsQuery,
  GetPortfolioQuery,
  GetStatementQuery,
  GetStatementsQuery,
  ListAccountsQuery,
} from '../read-side/account.queries';
import { ACCOUNT_CSV_COLUMNS } from '../read-side/accounts-csv';
import { consistencyOf, type QueryRequest } from '../read-side/consistency';
import { GetControlsQuery } from '../read-side/controls.query';
import { GetInstallmentPlansQuery } from '../read-side/installment-plans.query';
import { GetInstallmentQuoteQuery } from '../read-side/installment-quote.query';
import { GetNextStatementQuery } from '../read-side/next-statement.query';

/** How long an export may stand with no byte moving to its client before it is ended. */
const EXPORT_IDLE_MS = 60_000;

@ApiTags('queries')
@ReadConsistencyParams()
@ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND, STATEMENT_NOT_FOUND' })
@ApiExtraModels(...READ_EXTRA_MODELS)
@Controller()
export class AccountQueriesController {
  constructor(private readonly queries: QueryBus) {}

  @Get('accounts')
  @ApiOkResponse({ type: AccountPageSchema, description: 'A page of accounts in account id order; `nextCursor` for the next' })
  @ApiOperation({ summary: 'List and filter accounts (status, delinquency bucket, restriction), by account id or the longest overdue first, with paging and the total the filters select' })
  list(@Query() params: ListAccountsParams, @Req() req: QueryRequest) {
    return this.queries.execute(new ListAccountsQuery({ status: params.status, bucket: params.bucket, flag: params.flag, sort: params.sort, limit: params.limit, offset: params.offset, after: params.cursor }, consistencyOf(req.query)));
  }

  // Declared before `accounts/:id`; Fastify's router also prefers a static segment to a parameter whatever the order.
  @Get('accounts/export')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description:
      `RFC 4180 CSV (UTF-8, CRLF), as an attachment named accounts-<asOf>.csv (accounts-all.csv before the first end of day): a header row, then one row per account the filters select, in the list's order. Columns: ${ACCOUNT_CSV_COLUMNS.join(', ')}. ` +
      'Amounts and rates are the decimal strings of GET /accounts; an empty cell is null; flags are true/false. The holder fields are left out. ' +
      'A cell that would start with = + - @, a tab or CR gets a leading apostrophe, unless it is a plain decimal number. Every row is read from one snapshot of the read models.',
    schema: { type: 'string', pattern: `^${ACCOUNT_CSV_COLUMNS.join(',')}\\r\\n` },
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="accounts-<asOf>.csv": the business date the figures are as of, or accounts-all.csv before the first end of day',
        schema: { type: 'string', pattern: '^attachment; filename="accounts-(\\d{4}-\\d{2}-\\d{2}|all)\\.csv"$' },
      },
    },
  })
  @ApiOperation({ summary: 'The account list as CSV for a spreadsheet: the filters and order of GET /accounts, every matching account, streamed' })
  async export(@Query() params: AccountFiltersQuery, @Req() req: QueryRequest): Promise<StreamableFile> {
    const { asOf, csv } = await this.queries.execute(new ExportAccountsQuery({ status: params.status, bucket: params.bucket, flag: params.flag, sort: params.sort }, consistencyOf(req.query)));
    // A client that stops reading would hold the export's read snapshot (and the WAL it pins) and a
    // request slot for good: a minute without a byte moving on the socket ends the export.
    // The timer is the socket's, which a keep-alive client reuses: it ends with the export.
    const socket = req.raw.socket;
    const idle = () => {
      csv.destroy(new Error(`the client read nothing of the export for ${EXPORT_IDLE_MS / 1000} s`));
      socket.destroy();
    };
    socket.setTimeout(EXPORT_IDLE_MS, idle);
    csv.once('close', () => {
      socket.removeListener('timeout', idle);
      socket.setTimeout(0);
    });
    return new StreamableFile(csv, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="accounts-${asOf ?? 'all'}.csv"` });
  }

  @Get('accounts/:id')
  @ApiOkResponse({ type: AccountViewSchema, description: 'The account as of the day after the last closed business day' })
  @ApiOperation({ summary: 'Balances, limit, available credit, status, overdue days and bucket' })
  account(@Param('id') id: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetAccountQuery(id, consistencyOf(req.query)));
  }

  @Get('accounts/:id/statements')
  @ApiOkResponse({ type: StatementListSchema, description: "The account's statements, oldest first" })
  @ApiOperation({ summary: 'Every statement (账单) with its lines, minimum, due date, paid so far and status' })
  async statements(@Param('id') id: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return { accountId: id, statements: await this.queries.execute(new GetStatementsQuery(id, consistencyOf(req.query))) };
  }

  @Get('accounts/:id/next-statement')
  @ReadsTheLog()
  @ApiOkResponse({ type: NextStatementSchema, description: 'The statement the current cycle will issue, as it stands' })
  @ApiUnprocessableEntityResponse({ description: 'ACCOUNT_NOT_ACTIVE: a rejected, approved (not activated) or closed account has no statement to come' })
  @ApiOperation({
    summary: "The next statement so far: this cycle's interest and penalty interest accrued through the last closed day, what the month end will bill, its minimum as it stands",
    description:
      "Drafted from the account's events by billing's own code, as the month end will be, but with the interest accrued only through the last closed business day. Interest is charged only by a statement: a customer who repays everything `owed` shows today still gets this cycle's interest billed at the month end. Read from the log, not the read models: it is always as of the head, so `after` and `consistency` are taken, as on every read, and change nothing.",
  })
  nextStatement(@Param('id') id: string, @Query() _read: ReadConsistencyQuery) {
    return this.queries.execute(new GetNextStatementQuery(id));
  }

  @Get('accounts/:id/statements/:month')
  @ApiOkResponse({ type: StatementViewSchema, description: 'The statement of that billed month' })
  @ApiOperation({ summary: 'One statement by billed month (YYYY-MM)' })
  statement(@Param('id') id: string, @Param('month') month: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    assertMonth(month);
    return this.queries.execute(new GetStatementQuery(id, month, consistencyOf(req.query)));
  }

  @Get('accounts/:id/accruals')
  @ApiOkResponse({ type: AccrualsViewSchema, description: 'One row per closed business day of the range, exact amounts' })
  @ApiOperation({ summary: 'Daily interest (按日计息): one row per closed business day with principal, rate and exact amount' })
  accruals(@Param('id') id: string, @Query() range: AccrualsQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetAccrualsQuery(id, range.from, range.to, consistencyOf(req.query)));
  }

  @Get('accounts/:id/limit-reviews')
  @ApiOkResponse({ type: LimitReviewListSchema, description: "The account's quarterly reviews, oldest first" })
  @ApiOperation({ summary: 'Quarterly limit reviews (额度调整) with inputs, decision and reasons' })
  async limitReviews(@Param('id') id: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return { accountId: id, reviews: await this.queries.execute(new GetLimitReviewsQuery(id, consistencyOf(req.query))) };
  }

  @Get('accounts/:id/installment-quote')
  @ReadsTheLog()
  @ApiOkResponse({ type: InstallmentQuoteSchema, description: "The quote under the account's own terms version" })
  @ApiUnprocessableEntityResponse({ description: 'INSTALLMENT_PERIODS_NOT_OFFERED (the periods its terms version offers are in `offered`), INSTALLMENT_NOT_ELIGIBLE (below the smallest amount converted, in `minimum`)' })
  @ApiOperation({
    summary: 'Installment quote (分期): schedule, fees and APR (IRR-based, 12 x monthly IRR)',
    description: "Quoted from the account's events in the log, not the read models: it is always as of the head, so `after` and `consistency` are taken, as on every read, and change nothing.",
  })
  quote(@Param('id') id: string, @Query() q: InstallmentQuoteQuery) {
    return this.queries.execute(new GetInstallmentQuoteQuery(id, q.amount, q.periods));
  }

  @Get('accounts/:id/installments')
  @ReadsTheLog()
  @ApiOkResponse({ type: InstallmentPlanListSchema, description: "The account's installment plans, active first, then ended, each newest first" })
  @ApiOperation({
    summary: 'Installment plans (分期): periods and fees billed and still to bill, how each ended, and what paying an active one off today would cost',
    description:
      "Read from the account's events in the log, as a payoff is decided on them, not the read models: `payoffToday` is what POST /accounts/:id/installments/:planId/payoff would record now. Always as of the head, so `after` and `consistency` are taken, as on every read, and change nothing.",
  })
  installments(@Param('id') id: string, @Query() _read: ReadConsistencyQuery) {
    return this.queries.execute(new GetInstallmentPlansQuery(id));
  }

  @Get('accounts/:id/controls')
  @ReadsTheLog()
  @ApiOkResponse({ type: ControlsSchema, description: "The account's transaction controls, as PUT /accounts/:id/controls last set them" })
  @ApiOperation({
    summary: 'Transaction controls (交易限额, 夜间锁)',
    description: "Read from the account's events in the log, as a draw is decided on them, not the read models: always as of the head, so `after` and `consistency` are taken, as on every read, and change nothing.",
  })
  controls(@Param('id') id: string, @Query() _read: ReadConsistencyQuery) {
    return this.queries.execute(new GetControlsQuery(id));
  }

  @Get('portfolio')
  @ApiOkResponse({ type: PortfolioSchema, description: 'The figures as of the read models' })
  @ApiOperation({ summary: 'Portfolio figures for the dashboards' })
  portfolio(@Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetPortfolioQuery(consistencyOf(req.query)));
  }

  @Get('portfolio/accruals')
  @ApiOkResponse({ type: [PortfolioAccrualDaySchema], description: 'One row per closed business day of the range, exact amounts' })
  @ApiOperation({ summary: 'The portfolio interest accrued per business day' })
  portfolioAccruals(@Query() range: AccrualsQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetPortfolioAccrualsQuery(range.from, range.to, consistencyOf(req.query)));
  }
}
