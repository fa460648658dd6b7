import { Body, Controller, Get, HttpCode, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { addDays, daysBetween } from '@ledger/credit';
import { BusinessClock, CloseBusinessDayCommand, EndOfDayService, MAX_CLOCK_STEP_DAYS } from '@ledger/servicing';
import { ClockDto, EndOfDayDto } from '../dto/account-commands.dto';
import { ClockSchema, EndOfDayReportSchema } from '../http/openapi';
import { actorOf } from '../http/request-context';
import { NO_FIELDS } from '../http/validation';

@ApiTags('operations')
@Controller('operations')
export class OperationsController {
  constructor(
    private readonly clock: BusinessClock,
    private readonly commands: CommandBus,
    private readonly endOfDay: EndOfDayService,
  ) {}

  @Get('clock')
  @ApiOperation({ summary: 'The business clock: mode, now, business date, the last closed business day, the days over and not closed, and an end of day begun and not finished' })
  @ApiOkResponse({ type: ClockSchema })
  async getClock(@Query(NO_FIELDS) _query?: unknown) {
    const last = await this.endOfDay.lastClosed();
    const businessDate = this.clock.businessDate();
    return {
      mode: this.clock.mode,
      now: this.clock.now(),
      businessDate,
      lastClosedBusinessDate: last.date,
      daysNotClosed: last.date === null ? null : Math.max(0, daysBetween(last.date, businessDate) - 1),
      closeBegun: await this.endOfDay.unfinishedClose(last.date),
    };
  }

  @Put('clock')
  @ApiOperation({ summary: 'Set the business clock (manual mode only; time only moves forward)' })
  @ApiOkResponse({ type: ClockSchema, description: 'The clock as set' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_DATE_TIME' })
  @ApiConflictResponse({ description: 'CLOCK_NOT_MANUAL, CLOCK_WENT_BACKWARDS, CONCURRENCY_CONFLICT' })
  @ApiUnprocessableEntityResponse({ description: `CLOCK_JUMP_TOO_FAR: more than ${MAX_CLOCK_STEP_DAYS} days past the next business day to close` })
  async setClock(@Body() body: ClockDto, @Query(NO_FIELDS) _query: unknown, @Req() request: FastifyRequest) {
    // Every day up to the new date must be closed before the next command: a typo of a year (2062 for
    // 2026) would leave commands refused until decades of days were closed, and time never goes back.
    const last = await this.endOfDay.lastClosed();
    const nextToClose = last.date === null ? this.clock.businessDate() : addDays(last.date, 1);
    await this.clock.set(body.now, actorOf(request), { latestBusinessDate: addDays(nextToClose, MAX_CLOCK_STEP_DAYS) });
    return this.getClock();
  }

  @Post('end-of-day')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close a business day: statements on month ends, auto-repayment requests, due dates, overdue, freezes, buckets, quarterly reviews',
    description: 'Idempotent (closing a closed day returns its report), resumable after a crash, refuses to skip a day or to close a day the business clock has not passed.',
  })
  @ApiOkResponse({ type: EndOfDayReportSchema, description: "The day's report (its first one again when the day had closed before)" })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_BUSINESS_DATE' })
  @ApiConflictResponse({ description: 'BUSINESS_DAY_SKIPPED, BUSINESS_DAY_NOT_OVER, BUSINESS_DAY_BEFORE_LEDGER' })
  @ApiServiceUnavailableResponse({ description: 'END_OF_DAY_STOPPED: the ledger is stopping (SIGTERM); the close stopped at a safe point, send it again once the ledger is back' })
  closeDay(@Body() body: EndOfDayDto, @Query(NO_FIELDS) _query: unknown, @Req() request: FastifyRequest) {
    return this.commands.execute(new CloseBusinessDayCommand(body.businessDate, actorOf(request)));
  }
}
