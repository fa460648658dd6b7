import { Body, Controller, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BusinessClock, CloseBusinessDayCommand, EndOfDayService } from '@ledger/servicing';
import { ClockDto, EndOfDayDto } from '../dto/account-commands.dto';
import { ClockSchema, EndOfDayReportSchema } from '../http/openapi';
import { actorOf } from '../http/request-context';

@ApiTags('operations')
@Controller('operations')
export class OperationsController {
  constructor(
    private readonly clock: BusinessClock,
    private readonly commands: CommandBus,
    private readonly endOfDay: EndOfDayService,
  ) {}

  @Get('clock')
  @ApiOperation({ summary: 'The business clock: mode, now, business date and the last closed business day' })
  @ApiOkResponse({ type: ClockSchema })
  async getClock() {
    const last = await this.endOfDay.lastClosed();
    return { mode: this.clock.mode, now: this.clock.now(), businessDate: this.clock.businessDate(), lastClosedBusinessDate: last.date };
  }

  @Put('clock')
  @ApiOperation({ summary: 'Set the business clock (manual mode only; time only moves forward)' })
  @ApiOkResponse({ type: ClockSchema, description: 'The clock as set' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_DATE_TIME' })
  @ApiConflictResponse({ description: 'CLOCK_NOT_MANUAL, CLOCK_WENT_BACKWARDS, CONCURRENCY_CONFLICT' })
  async setClock(@Body() body: ClockDto, @Req() request: FastifyRequest) {
    await this.clock.set(body.now, actorOf(request));
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
  closeDay(@Body() body: EndOfDayDto, @Req() request: FastifyRequest) {
    return this.commands.execute(new CloseBusinessDayCommand(body.businessDate, actorOf(request)));
  }
}
