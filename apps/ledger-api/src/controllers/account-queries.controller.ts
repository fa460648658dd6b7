import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AccrualsQuery, InstallmentQuoteQuery, ListAccountsQuery as ListAccountsParams, ReadConsistencyQuery } from '../dto/account-commands.dto';
import { assertMonth } from '../http/validation';
import {
  GetAccountQuery,
  GetAccrualsQuery,
  GetLimitReviewsQuery,
  GetPortfolioAccrualsQuery,
  GetPortfolioQuery,
  GetStatementQuery,
  GetStatementsQuery,
  ListAccountsQuery,
} from '../read-side/account.queries';
import { consistencyOf } from '../read-side/consistency';
import { GetInstallmentQuoteQuery } from '../read-side/installment-quote.query';

/** A request whose query string Fastify parsed (a repeated key gives an array). */
type QueryRequest = FastifyRequest<{ Querystring: Record<string, unknown> }>;

@ApiTags('queries')
@ApiQuery({ name: 'after', required: false, description: 'Wait until the read models have applied this global position (from a command answer)' })
@ApiQuery({ name: 'consistency', required: false, enum: ['strong', 'eventual'], description: 'strong (default) waits for the events appended before the query; eventual reads at once' })
@ApiNotFoundResponse({ description: 'ACCOUNT_NOT_FOUND, STATEMENT_NOT_FOUND' })
@Controller()
export class AccountQueriesController {
  constructor(private readonly queries: QueryBus) {}

  @Get('accounts')
  @ApiOperation({ summary: 'List and filter accounts (status, delinquency bucket) with paging' })
  list(@Query() params: ListAccountsParams, @Req() req: QueryRequest) {
    return this.queries.execute(new ListAccountsQuery({ status: params.status, bucket: params.bucket, limit: params.limit, offset: params.offset, after: params.cursor }, consistencyOf(req.query)));
  }

  @Get('accounts/:id')
  @ApiOperation({ summary: 'Balances, limit, available credit, status, overdue days and bucket' })
  account(@Param('id') id: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetAccountQuery(id, consistencyOf(req.query)));
  }

  @Get('accounts/:id/statements')
  @ApiOperation({ summary: 'Every statement (账单) with its lines, minimum, due date, paid so far and status' })
  async statements(@Param('id') id: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return { accountId: id, statements: await this.queries.execute(new GetStatementsQuery(id, consistencyOf(req.query))) };
  }

  @Get('accounts/:id/statements/:month')
  @ApiOperation({ summary: 'One statement by billed month (YYYY-MM)' })
  statement(@Param('id') id: string, @Param('month') month: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    assertMonth(month);
    return this.queries.execute(new GetStatementQuery(id, month, consistencyOf(req.query)));
  }

  @Get('accounts/:id/accruals')
  @ApiOperation({ summary: 'Daily interest (按日计息): one row per closed business day with principal, rate and exact amount' })
  accruals(@Param('id') id: string, @Query() range: AccrualsQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetAccrualsQuery(id, range.from, range.to, consistencyOf(req.query)));
  }

  @Get('accounts/:id/limit-reviews')
  @ApiOperation({ summary: 'Quarterly limit reviews (额度调整) with inputs, decision and reasons' })
  async limitReviews(@Param('id') id: string, @Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return { accountId: id, reviews: await this.queries.execute(new GetLimitReviewsQuery(id, consistencyOf(req.query))) };
  }

  @Get('accounts/:id/installment-quote')
  @ApiOperation({ summary: 'Installment quote (分期): schedule, fees and APR (IRR-based, 12 x monthly IRR)' })
  quote(@Param('id') id: string, @Query() q: InstallmentQuoteQuery) {
    return this.queries.execute(new GetInstallmentQuoteQuery(id, q.amount, q.periods));
  }

  @Get('portfolio')
  @ApiOperation({ summary: 'Portfolio figures for the dashboards' })
  portfolio(@Query() _read: ReadConsistencyQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetPortfolioQuery(consistencyOf(req.query)));
  }

  @Get('portfolio/accruals')
  @ApiOperation({ summary: 'The portfolio interest accrued per business day' })
  portfolioAccruals(@Query() range: AccrualsQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetPortfolioAccrualsQuery(range.from, range.to, consistencyOf(req.query)));
  }
}
