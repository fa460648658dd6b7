/// <reference lib="dom" />
/**
 * An account's installment plans (分期计划, GET /accounts/:id/installments): what each has billed and has
 * still to bill, how it ended, and for an active one what paying it off today would bring forward and
 * waive, the figures support quotes a customer asking to settle early.
 */
import type { InstallmentPlansView } from '../src/read-side/installment-plans.query';
import type { Settled } from './api';
import { el, notice, table } from './dom';
import { formatMoney } from './format';
import { label, PLAN_END_LABELS, PLAN_STATUS_LABELS } from './labels';

type Plan = InstallmentPlansView['plans'][number];

export function installmentPlansView(answer: Settled<InstallmentPlansView>): HTMLElement {
  if ('error' in answer) return notice(`Could not load the installment plans: ${answer.error.message}`, 'error');
  const { plans } = answer.value;
  if (plans.length === 0) return notice('No installment plans: no draw of this account was converted 未办理分期.');
  const payoff = (cell: (p: NonNullable<Plan['payoffToday']>) => string) => (plan: Plan) => (plan.payoffToday === null ? '—' : cell(plan.payoffToday));
  return table(
    [
      { header: 'Plan 分期计划', cell: (p: Plan) => p.planId },
      { header: 'Created 办理日', cell: (p) => p.createdOn },
      { header: 'Principal 本金', cell: (p) => formatMoney(p.principal), numeric: true },
      // A refund or prepayment can empty the last periods, which are then never billed: billed and left need not add up to the periods.
      { header: 'Periods billed / left 已出账/待出账期数', cell: (p) => `${p.periodsBilled} / ${p.periodsLeft} of ${p.periods}`, numeric: true },
      { header: 'Billed 已出账 (principal + fees)', cell: (p) => `${formatMoney(p.billed.principal)} + ${formatMoney(p.billed.fees)}`, numeric: true },
      { header: 'To bill 待出账 (principal + fees)', cell: (p) => `${formatMoney(p.toBill.principal)} + ${formatMoney(p.toBill.fees)}`, numeric: true },
      {
        header: 'Status 状态',
        cell: (p) =>
          el(
            'span',
            {},
            el('span', { class: `badge status-${p.status.toLowerCase()}` }, label(PLAN_STATUS_LABELS, p.status)),
            p.endReason === null ? null : ` ${label(PLAN_END_LABELS, p.endReason)} on ${p.endedOn ?? '—'}`,
          ),
      },
      { header: 'Payoff today: principal brought forward 今日提前结清本金', cell: payoff((o) => formatMoney(o.principalAccelerated)), numeric: true },
      { header: 'Fee kept 保留手续费', cell: payoff((o) => formatMoney(o.feeKept)), numeric: true },
      { header: 'Fees waived 免收手续费', cell: payoff((o) => formatMoney(o.feesWaived)), numeric: true },
    ],
    plans,
    { 'data-table': 'installment-plans' },
  );
}
