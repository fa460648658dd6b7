import { Body, Controller, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BusinessClock, CloseBusinessDayCommand, EndOfDayService } from '@ledger/servicing';
import { ClockDto, EndOfDayDto } from '../dto/account-commands.dto';
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
  async getClock() {
    const last = await this.endOfDay.lastClosed();
    return { mode: this.clock.mode, now: this.clock.now(), businessDate: this.clock.businessDate(), lastClosedBusinessDate: last.date };
  }

  @Put('clock')
  @ApiOperation({ summary: 'Set the business clock (manual mode only; time only moves forward)' })
  @ApiConflictResponse({ description: 'CLOCK_NOT_MANUAL, CLOCK_WENT_BACKWARDS' })
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
  @ApiConflictResponse({ description: 'BUSINESS_DAY_SKIPPED, BUSINESS_DAY_NOT_OVER' })
  closeDay(@Body() body: EndOfDayDto, @Req() request: FastifyRequest) {
    return this.commands.execute(new CloseBusinessDayCommand(body.businessDate, actorOf(request)));
  }
}
