/// <reference lib="dom" />
/**
 * A statement explained (账单解释, GET /accounts/:id/statements/:month/explanation): how the interest
 * and penalty charged follow from the daily accrual, the fees, and the payments set against it. Exact
 * amounts keep every decimal the API gives (formatMoney only adds the ¥ and separators). The raw
 * answer stays one click away for an auditor who wants every day.
 */
import type { StatementExplanation } from '@ledger/servicing/audit/statement-explanation';
import { el, table } from './dom';
import { formatMoney } from './format';
import { TERMS } from './labels';

type Accrual = StatementExplanation['interest'];

export function explanationView(x: StatementExplanation): HTMLElement {
  const accrualRow = (name: string, a: Accrual) => ({ name, ...a });
  return el(
    'div',
    { 'data-explanation': x.statementId },
    el('h5', {}, `${TERMS.statement} ${x.statementId} explained 账单解释 (${x.periodFrom} – ${x.periodTo}, due ${x.dueDate})`),
    table(
      [
        { header: '', cell: (r: ReturnType<typeof accrualRow>) => r.name },
        { header: `Sum of ${x.days.length} days 日息合计`, cell: (r) => formatMoney(r.sum), numeric: true },
        { header: 'Exact on statement 账单精确值', cell: (r) => formatMoney(r.statement.exact), numeric: true },
        { header: 'Reversed by disputes 争议冲回', cell: (r) => formatMoney(r.statement.reversed), numeric: true },
        { header: 'Charged 计收', cell: (r) => formatMoney(r.statement.charged), numeric: true },
        { header: 'Residual 尾差', cell: (r) => formatMoney(r.statement.residual), numeric: true },
        { header: 'Agrees 一致', cell: (r) => (r.matches ? '✓' : '✗ mismatch'), numeric: true },
      ],
      [accrualRow(TERMS.interest, x.interest), accrualRow(TERMS.penalty, x.penaltyInterest)],
      { 'data-table': 'explanation' },
    ),
    el(
      'p',
      { class: 'muted' },
      `Previous balance ${formatMoney(x.previousBalance)} · spending ${formatMoney(x.revolvingPrincipal)} · ${TERMS.installment} periods ${x.installmentPeriods.length}${x.installmentPeriodsMatch ? ' ✓' : ' ✗'} · fees ${formatMoney(x.fees)} → statement balance ${formatMoney(x.statementBalance)}, minimum ${formatMoney(x.minimumRepayment)}${x.minimumsLowered.map((l) => `, lowered to ${formatMoney(l.to)} by dispute ${l.disputeId} on ${l.on}`).join('')}. ${x.payments.length} payment(s) 还款 set against it.`,
    ),
    el('details', {}, el('summary', {}, 'Every day and payment (raw) 明细'), el('pre', { class: 'json' }, JSON.stringify(x, null, 2))),
  );
}
