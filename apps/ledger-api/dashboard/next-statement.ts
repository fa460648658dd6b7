/// <reference lib="dom" />
/**
 * The next statement so far (本期账单预览, GET /accounts/:id/next-statement): what the month end would
 * bill were the cycle to end with the last closed business day. Interest is charged only by a statement,
 * so this is where support sees the interest a customer who repays everything today is still billed.
 */
import type { NextStatementView } from '../src/read-side/next-statement.query';
import { ApiRequestError, type Settled } from './api';
import { el, figure, notice, table } from './dom';
import { formatMoney } from './format';
import { label, STATUS_LABELS, TERMS } from './labels';

type BilledPeriod = NextStatementView['installmentPeriods'][number];

/** The card's content: `answer` is null when the account is not active, so nothing was asked. */
export function nextStatementView(status: string, answer: Settled<NextStatementView> | null): HTMLElement[] {
  const notBilled = notice(`No statement to come: the account is ${label(STATUS_LABELS, status)}, and only an active account is billed.`);
  if (answer === null) return [notBilled];
  if ('error' in answer) {
    // The account left ACTIVE between the two reads: the same as not asking.
    if (answer.error instanceof ApiRequestError && answer.error.code === 'ACCOUNT_NOT_ACTIVE') return [notBilled];
    return [notice(`Could not load the next statement: ${answer.error.message}`, 'error')];
  }
  const n = answer.value;
  return [
    el(
      'div',
      { class: 'figures compact fluid', 'data-section': 'next-statement' },
      figure('next.month', 'Statement month 账单月', n.statementId, n.statementId, `period ${n.periodFrom} – ${n.accruedThrough} so far`),
      figure('next.interest', `${TERMS.interest} so far`, formatMoney(n.interest.charged), n.interest.charged, `exact ${formatMoney(n.interest.exact)}`),
      figure('next.penalty', `${TERMS.penalty} so far`, formatMoney(n.penaltyInterest.charged), n.penaltyInterest.charged, `exact ${formatMoney(n.penaltyInterest.exact)}`),
      figure('next.revolving', 'Revolving principal 消费本金', formatMoney(n.revolvingPrincipal), n.revolvingPrincipal, `new spending ${formatMoney(n.newDraws)} · refunds ${formatMoney(n.refunds)}`),
      figure('next.fees', TERMS.fees, formatMoney(n.fees), n.fees, `${n.installmentPeriods.length} installment period(s) below`),
      figure('next.previous', 'Previous balance 上期未还', formatMoney(n.previousBalance), n.previousBalance),
      figure('next.balance', 'Statement balance so far 账单金额', formatMoney(n.statementBalance), n.statementBalance),
      figure('next.minimum', 'Minimum so far 最低还款', formatMoney(n.minimumRepayment), n.minimumRepayment, `overdue included ${formatMoney(n.overdueIncluded)}`),
      figure('next.due', 'Due 到期日', n.dueDate, n.dueDate),
    ),
    el(
      'p',
      { class: 'muted', 'data-note': 'next-statement' },
      `Interest keeps accruing daily until the month end closes (the last day of ${n.statementId}), and this statement bills it even if everything owed is repaid today.`,
      n.wouldIssue ? null : ' As it stands the month end issues no statement: nothing is owed and nothing happened in the cycle.',
    ),
    table(
      [
        { header: 'Installment plan 分期计划', cell: (p: BilledPeriod) => p.planId },
        { header: 'Period 期次', cell: (p) => String(p.period), numeric: true },
        { header: 'Principal 本金', cell: (p) => formatMoney(p.principal), numeric: true },
        { header: 'Fee 手续费', cell: (p) => formatMoney(p.fee), numeric: true },
      ],
      n.installmentPeriods,
      { 'data-table': 'next-installments' },
      'No installment period to bill 本期无分期',
    ),
  ];
}
