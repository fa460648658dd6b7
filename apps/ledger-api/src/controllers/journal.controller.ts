import { Controller, Get, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PostingDatesQuery, TrialBalanceQuery } from '../dto/account-commands.dto';
import { ReadConsistencyParams } from '../http/openapi';
import { JournalDaySchema, TrialBalanceSchema } from '../http/read-schemas';
import { consistencyOf, type QueryRequest } from '../read-side/consistency';
import { GetJournalDaysQuery, GetTrialBalanceQuery } from '../read-side/journal.query';

/** The journal read model's reads. Under /portfolio, so that the viewer keys of finance's dashboards read them. */
@ApiTags('queries')
@ReadConsistencyParams()
@Controller()
export class JournalController {
  constructor(private readonly queries: QueryBus) {}

  @Get('portfolio/trial-balance')
  @ApiOkResponse({ type: TrialBalanceSchema, description: 'Every ledger account with its opening, debits, credits and closing; the totals, whose closing is zero' })
  @ApiOperation({
    summary: 'The trial balance (试算平衡) over a range of posting dates, or as of each close, as `ledger gl --from --to [--by business-day]` gives it',
    description:
      "From the journal read model, which keeps each posting date's debits, credits and lines per business day and ledger account: the same figures as `ledger gl` without reading the log, dated by each event's own date (a statement's charges on the 1st) or, with dateBy=businessDay, by the business day that decided it (a month end's statements in its month, as `ledger gl --by business-day`). Any range: `opening` is everything before `from`.",
  })
  trialBalance(@Query() range: TrialBalanceQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetTrialBalanceQuery(range.from, range.to, range.dateBy ?? 'posting', consistencyOf(req.query)));
  }

  @Get('portfolio/journal-days')
  @ApiOkResponse({ type: [JournalDaySchema], description: 'One row per posting date and ledger account with lines, by date then in the chart\'s order; a day without lines has none' })
  @ApiOperation({ summary: 'The debits and credits posted per day and ledger account, for a chart (at most 731 days)' })
  journalDays(@Query() range: PostingDatesQuery, @Req() req: QueryRequest) {
    return this.queries.execute(new GetJournalDaysQuery(range.from, range.to, consistencyOf(req.query)));
  }
}
