import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags, ApiBadRequestResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Dec } from '@ledger/credit';
import { SubmitApplicationCommand } from '@ledger/servicing';
import { SubmitApplicationDto } from '../dto/application.dto';
import { commandMetadata } from '../http/request-context';
import { commandResponse } from '../http/command-response';
import { ApplicationDecisionSchema } from '../http/openapi';
import { NO_FIELDS } from '../http/validation';

/**
 * The key is looked up on the account the ID number leads to, as every command's key is on its account's
 * stream: there is no index of keys across accounts.
 */
const KEY_SCOPE = 'it is checked against the account the ID number leads to, so the same key sent with another idNumber is a new application (decided on its own), not a retry or a reuse.';

@ApiTags('applications')
@Controller('applications')
export class ApplicationsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Submit an application (开通申请); decided at once',
    description:
      'The ID number is stored only as a keyed hash and a masked form. One person has one credit line: a reapplication lands on the same account, where the 30-day rule applies. ' +
      `An Idempotency-Key is scoped to the applicant: ${KEY_SCOPE}`,
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: `A retry with the same key and the same body returns the original decision; with another body, 409 IDEMPOTENCY_KEY_REUSED. Scoped to the applicant: ${KEY_SCOPE}` })
  @ApiCreatedResponse({ type: ApplicationDecisionSchema, description: 'The decision with reasons, limit and rates (daily and annualized)' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_ID_NUMBER' })
  @ApiConflictResponse({ description: 'APPLICATION_ALREADY_APPROVED, IDEMPOTENCY_KEY_REUSED, CONCURRENCY_CONFLICT, BUSINESS_DAY_NOT_CLOSED: the business day before today is not closed yet (retry after end of day)' })
  async submit(@Body() body: SubmitApplicationDto, @Query(NO_FIELDS) _query: unknown, @Req() request: FastifyRequest) {
    const result = await this.commands.execute(
      new SubmitApplicationCommand({ ...body, debitCard: body.debitCard ?? null }, commandMetadata(request, 'POST /applications', body)),
    );
    const decision = result.events.find((e) => e.type === 'ApplicationApproved' || e.type === 'ApplicationRejected');
    const approved = decision?.type === 'ApplicationApproved' ? decision.data : null;
    return {
      ...commandResponse(result),
      decision: approved ? 'APPROVED' : 'REJECTED',
      reasons: decision?.type === 'ApplicationRejected' ? decision.data.reasons : [],
      ...(approved
        ? {
            limit: approved.limit,
            dailyRate: approved.dailyRate,
            annualRate: approved.annualRate,
            dailyRatePercent: `${new Dec(approved.dailyRate).times(100).toFixed()}%`,
            annualRatePercent: `${new Dec(approved.annualRate).times(100).toFixed(2)}%`,
            penaltyDailyRate: approved.penaltyDailyRate,
          }
        : {}),
    };
  }
}
