import { Controller, Get, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RollRatesQuery, VintagesQuery } from '../dto/portfolio-risk.dto';
import { ReadConsistencyParams } from '../http/openapi';
import { RollRatesSchema, VintagesSchema } from '../http/read-schemas';
import { consistencyOf, type QueryRequest } from '../read-side/consistency';
import { GetRollRatesQuery, GetVintagesQuery } from '../read-side/portfolio-risk.queries';

/** The credit risk views of the portfolio, under /portfolio like the dashboard's figures (a viewer reads them). */
@ApiTags('queries')
@ReadConsistencyParams()
@Controller('portfolio')
export class PortfolioRiskController {
  constructor(private readonly queries: QueryBus) {}

  @Get('vintages')
  @ApiOkResponse({ type: VintagesSchema, description: 'Each approval month (cohort) in the range, oldest first, with its accounts by bucket at every month end since' })
  @ApiOperation({
    summary: 'Vintage curves: accounts by approval month and delinquency bucket at each month end, by months on book',
    description:
      "`from` and `to` select cohorts by approval month. A month end's figures are kept when its last business day closes, as the delinquency trend of GET /portfolio is: an account counts from the first month end it is open at (activated), in the cohort of the month it was approved in.",
  })
  vintages(@Query() range: VintagesQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetVintagesQuery({ from: range.from, to: range.to, last: range.last }, consistencyOf(req.query)));
  }

  @Get('roll-rates')
  @ApiOkResponse({ type: RollRatesSchema, description: 'Each month end in the range, oldest first, with its matrix: rows by bucket at the month end before (NEW first), columns by bucket at this one' })
  @ApiOperation({
    summary: 'Roll rates: the accounts of each bucket at one month end by their bucket at the next, with what they owe',
    description:
      '`from` and `to` select month ends by month. Counted per account, not from bucket changes: an account that went M1 to M2 and back to CURRENT within the month rolled M1 to CURRENT. An account not open at the month end before (approved or activated since) comes from NEW; each cell\'s share is of its row\'s accounts.',
  })
  rollRates(@Query() range: RollRatesQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetRollRatesQuery({ from: range.from, to: range.to }, consistencyOf(req.query)));
  }
}
