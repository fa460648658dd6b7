import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { accountNotFound, earlyPayoffAmounts, type InstallmentPlanSummary, installmentPlanSummaries, type PlanEndReason } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { AccountRepository, accountStream, toDomainEvent } from '@ledger/servicing';

export interface InstallmentPlanView {
  planId: string;
  drawId: string;
  createdOn: string;
  principal: string;
  periods: number;
  monthlyFeeRate: string;
  feePerPeriod: string;
  apr: string;
  periodsBilled: number;
  periodsLeft: number;
  billed: { principal: string; fees: string };
  toBill: { principal: string; fees: string };
  status: 'ACTIVE' | 'ENDED';
  endedOn: string | null;
  endReason: PlanEndReason | null;
  /** What POST .../payoff would record now; null once the plan has ended. */
  payoffToday: { principalAccelerated: string; feeKept: string; feesWaived: string } | null;
}

export interface InstallmentPlansView {
  accountId: string;
  plans: InstallmentPlanView[];
}

export class GetInstallmentPlansQuery extends Query<InstallmentPlansView> {
  constructor(readonly accountId: string) {
    super();
  }
}

/**
 * Read from the account as commands see it (the repository, and its events up to the same revision),
 * not the read models: the payoff quoted is the one a payoff sent now would record.
 */
@QueryHandler(GetInstallmentPlansQuery)
export class GetInstallmentPlansHandler implements IQueryHandler<GetInstallmentPlansQuery, InstallmentPlansView> {
  constructor(
    private readonly repository: AccountRepository,
    private readonly store: EventStore,
  ) {}

  async execute({ accountId }: GetInstallmentPlansQuery): Promise<InstallmentPlansView> {
    const { state, revision } = await this.repository.load(accountId);
    if (state.status === 'NONE' || revision === 'no_stream') throw accountNotFound(accountId);
    // Most accounts never convert a draw: their events need not be read.
    if (Object.keys(state.plans).length === 0) return { accountId, plans: [] };
    const events = (await this.store.readStream(accountStream(accountId), { toRevision: revision })).map(toDomainEvent);
    return { accountId, plans: installmentPlanSummaries(state, events).map(planView) };
  }
}

function planView(summary: InstallmentPlanSummary): InstallmentPlanView {
  const { plan, ended, payoffToday } = summary;
  return {
    planId: plan.planId,
    drawId: plan.drawId,
    createdOn: summary.createdOn,
    principal: plan.principal.toString(),
    periods: plan.periods,
    monthlyFeeRate: plan.monthlyFeeRate,
    feePerPeriod: plan.feePerPeriod.toString(),
    apr: plan.apr,
    periodsBilled: summary.periodsBilled,
    periodsLeft: summary.periodsLeft,
    billed: { principal: summary.billedPrincipal.toString(), fees: summary.billedFees.toString() },
    toBill: { principal: summary.principalToBill.toString(), fees: summary.feesToBill.toString() },
    status: ended === null ? 'ACTIVE' : 'ENDED',
    endedOn: ended?.on ?? null,
    endReason: ended?.reason ?? null,
    payoffToday: payoffToday === null ? null : earlyPayoffAmounts(payoffToday),
  };
}
