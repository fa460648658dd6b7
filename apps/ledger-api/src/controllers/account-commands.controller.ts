import { Body, Controller, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyRequest, FastifyReply } from 'fastify';
import type { CreditAccountCommand } from '@ledger/credit';
import { ExecuteAccountCommand } from '@ledger/servicing';
import {
  ActivationDto,
  AutoDebitFailureDto,
  ControlsDto,
  DisputeDto,
  DisputeResolutionDto,
  DrawDto,
  InstallmentDto,
  PayScoreDto,
  RefundDto,
  RepaymentDto,
  RiskSuspensionDto,
  UnlockDto,
} from '../dto/account-commands.dto';
import { commandResponse } from '../http/command-response';
import { domainCodesAnswering } from '../http/errors';
import { NO_FIELDS } from '../http/validation';
import { CommandAnswerSchema, DrawAnswerSchema } from '../http/openapi';
import { commandMetadata } from '../http/request-context';

type AccountCommand = ExecuteAccountCommand['command'];

@ApiTags('account commands')
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retries with the same key return the original outcome and append nothing (draws, refunds and repayments are idempotent by their own ids)' })
@ApiBadRequestResponse({ description: ['VALIDATION_FAILED', ...domainCodesAnswering(400)].join(', ') })
@ApiNotFoundResponse({ description: domainCodesAnswering(404).join(', ') })
@ApiConflictResponse({ description: ['IDEMPOTENCY_KEY_REUSED', 'CONCURRENCY_CONFLICT', 'BUSINESS_DAY_NOT_CLOSED', ...domainCodesAnswering(409)].join(', ') })
@ApiUnprocessableEntityResponse({ description: `A product rule refused the command; \`error\` is its code: ${domainCodesAnswering(422).join(', ')}` })
@Controller('accounts/:id')
export class AccountCommandsController {
  constructor(private readonly commands: CommandBus) {}

  private async run(request: FastifyRequest, accountId: string, route: string, body: unknown, command: AccountCommand, naturalKey?: string, formerKeys?: readonly string[]) {
    // A command's parameters are its body; a query string would be ignored, so it is refused.
    NO_FIELDS.transform(request.query, { type: 'query' });
    const meta = commandMetadata(request, route, body, naturalKey);
    const result = await this.commands.execute(new ExecuteAccountCommand(accountId, command, formerKeys ? { ...meta, formerCommandIds: formerKeys } : meta));
    return commandResponse(result);
  }

  @Post('activation')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Activate (开通): accept the agreement and name the auto-repayment debit card' })
  activate(@Param('id') id: string, @Body() body: ActivationDto, @Req() req: FastifyRequest) {
    return this.run(req, id, 'POST activation', body, { type: 'ActivateAccount', agreementVersion: body.agreementVersion, autoRepayCardLast4: body.autoRepayCardLast4 }, 'activation');
  }

  @Post('draws')
  @ApiCreatedResponse({ type: DrawAnswerSchema, description: 'Posted' })
  @ApiOkResponse({ type: DrawAnswerSchema, description: 'Declined, and the decline recorded: `status` DECLINED, `reason` the code' })
  @ApiOperation({ summary: 'Draw (消费): 201 when posted, 200 with status DECLINED and the reason code when declined (the decline is recorded)' })
  async draw(@Param('id') id: string, @Body() body: DrawDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const response = await this.run(req, id, 'POST draws', body, { type: 'RequestDraw', orderId: body.orderId, merchant: body.merchant, amount: body.amount, authentication: body.authentication }, `draw:${body.orderId}`);
    const declined = response.events.find((e) => e.type === 'DrawDeclined')?.data as { reason: string; detail?: string } | undefined;
    res.status(declined ? 200 : 201);
    return { ...response, orderId: body.orderId, status: declined ? 'DECLINED' : 'POSTED', reason: declined?.reason ?? null, detail: declined?.detail ?? null };
  }

  @Post('draws/:drawId/refunds')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Merchant refund of all or part of a draw; reduces the draw own principal' })
  refund(@Param('id') id: string, @Param('drawId') drawId: string, @Body() body: RefundDto, @Req() req: FastifyRequest) {
    // `refund:<draw>:<refund>` named refund Y:R of draw X and refund R of draw X:Y alike (ids may hold ':',
    // never '/'): a refund recorded so is found by its retry, the same request, and no other.
    return this.run(req, id, `POST draws/${drawId}/refunds`, body, { type: 'RefundDraw', drawId, refundId: body.refundId, amount: body.amount }, `refund:${drawId}/${body.refundId}`, [`refund:${drawId}:${body.refundId}`]);
  }

  @Post('draws/:drawId/installments')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Convert a draw of 300.00 or more into 3, 6 or 12 installments (分期) before it is billed' })
  installments(@Param('id') id: string, @Param('drawId') drawId: string, @Body() body: InstallmentDto, @Req() req: FastifyRequest) {
    return this.run(req, id, `POST draws/${drawId}/installments`, body, { type: 'ConvertToInstallments', drawId, periods: body.periods }, `installments:${drawId}`);
  }

  @Post('installments/:planId/payoff')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: "Early payoff (提前还款): the remaining principal and the period in progress's fee are billed on the next statement, later fees waived" })
  payoff(@Param('id') id: string, @Param('planId') planId: string, @Body(NO_FIELDS) _body: unknown, @Req() req: FastifyRequest) {
    return this.run(req, id, `POST installments/${planId}/payoff`, {}, { type: 'PayOffInstallmentEarly', planId }, `payoff:${planId}`);
  }

  @Post('repayments')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Repayment (还款), manual or auto-debit; allocated oldest statement first' })
  repay(@Param('id') id: string, @Body() body: RepaymentDto, @Req() req: FastifyRequest) {
    return this.run(req, id, 'POST repayments', body, { type: 'ReceiveRepayment', reference: body.reference, amount: body.amount, channel: body.channel }, `repayment:${body.reference}`);
  }

  @Post('auto-debit-failures')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Record that an auto-repayment debit failed' })
  autoDebitFailure(@Param('id') id: string, @Body() body: AutoDebitFailureDto, @Req() req: FastifyRequest) {
    return this.run(req, id, 'POST auto-debit-failures', body, { type: 'RecordAutoRepaymentFailure', statementId: body.statementId, reason: body.reason });
  }

  @Put('controls')
  @ApiOkResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Set the single-transaction limit (交易限额) and night lock (夜间锁)' })
  controls(@Param('id') id: string, @Body() body: ControlsDto, @Req() req: FastifyRequest) {
    return this.run(req, id, 'PUT controls', body, { type: 'SetTransactionControls', singleTransactionLimit: body.singleTransactionLimit, nightLock: body.nightLock });
  }

  @Post('pay-score')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'A pay score (支付分) update from outside' })
  payScore(@Param('id') id: string, @Body() body: PayScoreDto, @Req() req: FastifyRequest) {
    return this.run(req, id, 'POST pay-score', body, { type: 'UpdatePayScore', payScore: body.payScore });
  }

  @Post('risk-suspension')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Suspend the line on a risk-monitoring anomaly' })
  suspend(@Param('id') id: string, @Body() body: RiskSuspensionDto, @Req() req: FastifyRequest) {
    return this.run(req, id, 'POST risk-suspension', body, { type: 'SuspendForRisk', reason: body.reason, note: body.note });
  }

  @Post('risk-suspension/clearance')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'An operator clears a risk suspension' })
  clearSuspension(@Param('id') id: string, @Body(NO_FIELDS) _body: unknown, @Req() req: FastifyRequest) {
    const meta = commandMetadata(req, 'POST risk-suspension/clearance', {});
    return this.run(req, id, 'POST risk-suspension/clearance', {}, { type: 'ClearRiskSuspension', operator: meta.actor });
  }

  @Post('payment-unlock')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'An operator unlocks payments after face verification' })
  unlock(@Param('id') id: string, @Body() body: UnlockDto, @Req() req: FastifyRequest) {
    const meta = commandMetadata(req, 'POST payment-unlock', body);
    return this.run(req, id, 'POST payment-unlock', body, { type: 'UnlockPayment', operator: meta.actor, faceVerified: body.faceVerified });
  }

  @Post('disputes')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Open a dispute on a draw the customer reports as stolen or fraudulent' })
  dispute(@Param('id') id: string, @Body() body: DisputeDto, @Req() req: FastifyRequest) {
    return this.run(req, id, 'POST disputes', body, { type: 'OpenDispute', disputeId: body.disputeId, drawId: body.drawId, reason: body.reason }, `dispute:${body.disputeId}`);
  }

  @Post('disputes/:disputeId/resolution')
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommandAnswerSchema })
  @ApiOperation({ summary: 'Resolve a dispute; upheld reverses the draw in full (全额赔付): what is left of its principal, and the interest, penalty interest and installment fees it gave rise to' })
  resolve(@Param('id') id: string, @Param('disputeId') disputeId: string, @Body() body: DisputeResolutionDto, @Req() req: FastifyRequest) {
    return this.run(req, id, `POST disputes/${disputeId}/resolution`, body, { type: 'ResolveDispute', disputeId, upheld: body.upheld, note: body.note }, `dispute-resolution:${disputeId}`);
  }
}

export type { CreditAccountCommand };
