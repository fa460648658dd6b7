/// <reference lib="dom" />
/** Interest and fees (利息与费用): daily accrual, monthly billed interest, penalty and fees, the APR disclosure. */
import type { PortfolioAccrualDay, PortfolioView } from '@ledger/projections';
import type { InstallmentQuoteView } from '../src/read-side/installment-quote.query';
import { draw, GRID, listed, moneyAxis } from './charts';
import { el, figure, notice, replace, table } from './dom';
import { chartNumber, difference, formatCount, formatMoney, formatRate, sum } from './format';
import { TERMS } from './labels';

export function renderAccrual(all: PortfolioAccrualDay[]): void {
  // Days before the first interest-bearing balance are all zero; the chart starts where the book does.
  const first = all.findIndex((d) => d.interest !== '0' || d.penaltyInterest !== '0');
  const days = first < 0 ? all : all.slice(Math.max(0, first - 1));
  if (days.length === 0) {
    replace('note-accrual', notice('No business day has closed yet: daily interest appears once end of day has run.'));
  } else {
    replace('note-accrual', null);
  }
  const latest = days[days.length - 1];
  const summary = latest
    ? `Daily accrual over the whole portfolio, ${days[0].date} to ${latest.date}, before what upheld disputes reverse (a statement charges the accrual less its reversed share); on ${latest.date}, ${TERMS.interest} ${formatMoney(latest.interest)} and ${TERMS.penalty} ${formatMoney(latest.penaltyInterest)}, exact.`
    : 'Daily accrual over the whole portfolio: no business day has closed yet.';
  draw('chart-accrual', {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { ...GRID, top: 40, bottom: 60 },
    dataZoom: [{ type: 'slider', bottom: 8, height: 18 }],
    xAxis: { type: 'category', data: days.map((d) => d.date) },
    yAxis: moneyAxis('CNY / day'),
    series: [
      { name: `${TERMS.interest} accrued`, type: 'line', showSymbol: false, data: days.map((d) => chartNumber(d.interest)) },
      { name: `${TERMS.penalty} accrued`, type: 'line', showSymbol: false, data: days.map((d) => chartNumber(d.penaltyInterest)), itemStyle: { color: '#d1495b' } },
    ],
  }, summary);
}

type BilledMonth = PortfolioView['billedByMonth'][number];

/**
 * A headline of what the statements earn of a charge: billed less what upheld disputes gave back since,
 * as the journal's income has it, with the gross billed beside it.
 */
function netFigure(name: string, title: string, months: BilledMonth[], billed: (m: BilledMonth) => string, reversed: (m: BilledMonth) => string): HTMLElement {
  const gross = sum(months.map(billed));
  const back = sum(months.map(reversed));
  const net = difference(gross, back);
  const period = months.length === 0 ? 'no statement yet' : `statements ${months[0].month} to ${months[months.length - 1].month}`;
  return figure(name, `${title} net of disputes 净额`, formatMoney(net), net, `${period}: billed ${formatMoney(gross)} gross, less ${formatMoney(back)} reversed by upheld disputes`);
}

export function renderBilled(p: PortfolioView): void {
  const months = p.billedByMonth;
  replace(
    'billed-figures',
    netFigure('net.interest', TERMS.interest, months, (m) => m.interest, (m) => m.reversedInterest),
    netFigure('net.penalty', TERMS.penalty, months, (m) => m.penaltyInterest, (m) => m.reversedPenaltyInterest),
    netFigure('net.fees', TERMS.fees, months, (m) => m.fees, (m) => m.reversedFees),
  );
  draw('chart-billed', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { ...GRID, top: 40 },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: moneyAxis('CNY'),
    series: [
      { name: TERMS.interest, type: 'bar', stack: 'billed', barMaxWidth: 40, data: months.map((m) => chartNumber(m.interest)) },
      { name: TERMS.penalty, type: 'bar', stack: 'billed', data: months.map((m) => chartNumber(m.penaltyInterest)), itemStyle: { color: '#d1495b' } },
      { name: TERMS.fees, type: 'bar', stack: 'billed', data: months.map((m) => chartNumber(m.fees)), itemStyle: { color: '#2a9d8f' } },
    ],
  }, `Billed per statement month, gross: ${listed(months.map((m) => `${m.month} ${TERMS.interest} ${formatMoney(m.interest)}, ${TERMS.penalty} ${formatMoney(m.penaltyInterest)}, ${TERMS.fees} ${formatMoney(m.fees)}`), '; ')}.`);
  replace(
    'table-billed',
    table(
      [
        { header: 'Month 账单月', cell: (m: BilledMonth) => m.month },
        { header: 'Statements 账单数', cell: (m) => formatCount(m.statements), numeric: true },
        { header: 'Interest 利息', cell: (m) => formatMoney(m.interest), numeric: true },
        { header: 'Penalty 罚息', cell: (m) => formatMoney(m.penaltyInterest), numeric: true },
        { header: 'Fees 分期手续费', cell: (m) => formatMoney(m.fees), numeric: true },
        // What upheld disputes gave back of the month's charges since (全额赔付): billed less this is what the month earns.
        {
          header: 'Reversed by disputes 争议冲回',
          cell: (m) =>
            el(
              'span',
              { title: `interest ${formatMoney(m.reversedInterest)}, penalty ${formatMoney(m.reversedPenaltyInterest)}, fees ${formatMoney(m.reversedFees)}` },
              formatMoney(sum([m.reversedInterest, m.reversedPenaltyInterest, m.reversedFees])),
            ),
          numeric: true,
        },
      ],
      [...months].reverse(),
      { 'data-table': 'billed' },
    ),
  );
}

export function renderApr(quotes: InstallmentQuoteView[] | null, reason?: string): void {
  if (!quotes || quotes.length === 0) {
    replace('table-apr', notice(reason ?? 'No active account to quote installments for yet.'));
    return;
  }
  const sample = quotes[0];
  replace(
    'table-apr',
    el('p', { class: 'muted' }, `Quoted for ${formatMoney(sample.amount)} on account ${sample.accountId} (terms ${sample.termsVersion}). APR is the IRR of the repayments, annualized as 12 × the monthly IRR (年化利率 IRR).`),
    table(
      [
        { header: 'Periods 期数', cell: (q: InstallmentQuoteView) => `${q.periods} 期` },
        { header: 'Monthly fee rate 月手续费率', cell: (q) => formatRate(q.monthlyFeeRate), numeric: true },
        { header: 'Fee per period 每期手续费', cell: (q) => formatMoney(q.feePerPeriod), numeric: true },
        { header: 'Total fee 总手续费', cell: (q) => formatMoney(q.totalFee), numeric: true },
        { header: 'Total repayable 应还总额', cell: (q) => formatMoney(q.totalRepayable), numeric: true },
        { header: 'APR 年化利率', cell: (q) => el('strong', {}, q.aprPercent), numeric: true },
      ],
      quotes,
      { 'data-table': 'apr' },
    ),
  );
}
