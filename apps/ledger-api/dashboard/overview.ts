/// <reference lib="dom" />
/** Portfolio overview (资产概览): status, outstanding by kind, utilization, delinquency, the application funnel. */
import type { PortfolioView } from '@ledger/projections';
import { BUCKET_COLOURS, draw, GRID, moneyAxis } from './charts';
import { el, figure, notice, replace, table } from './dom';
import { chartNumber, formatCount, formatMoney, minus, percentOf, sum } from './format';
import { BUCKET_LABELS, CHANNEL_LABELS, label, OUTSTANDING_LABELS, REASON_LABELS, STATUS_LABELS, TERMS } from './labels';

const KINDS = ['revolvingUnbilled', 'revolvingBilled', 'installment', 'interest', 'fees', 'penalty'] as const;
const OVERDUE_BUCKETS = ['M1', 'M2', 'M3', 'M3+'];

export function renderOverview(p: PortfolioView, onBucket: (bucket: string) => void): void {
  const used = minus(p.exposure.limit, p.exposure.available);
  const delinquent = p.delinquency.filter((d) => OVERDUE_BUCKETS.includes(d.bucket));
  const overdueTotal = sum(delinquent.map((d) => d.overdue));
  const delinquentAccounts = delinquent.reduce((n, d) => n + d.accounts, 0);
  replace(
    'overview-figures',
    figure('outstanding.total', 'Outstanding 在贷余额', formatMoney(p.outstanding.total), p.outstanding.total),
    figure('accounts.active', 'Active accounts 在用账户', formatCount(p.accountsByStatus.ACTIVE ?? 0), String(p.accountsByStatus.ACTIVE ?? 0)),
    figure('exposure.limit', TERMS.limit, formatMoney(p.exposure.limit), p.exposure.limit, `${formatCount(p.exposure.accounts)} accounts`),
    figure('exposure.available', TERMS.available, formatMoney(p.exposure.available), p.exposure.available),
    figure('utilization', 'Utilization 额度使用率', percentOf(used, p.exposure.limit), used, `${formatMoney(used)} used`),
    figure('overdue.total', `${TERMS.overdue} amount`, formatMoney(overdueTotal), overdueTotal, `${formatCount(delinquentAccounts)} accounts in M1+`),
  );

  const statuses = Object.keys(p.accountsByStatus).sort();
  draw('chart-status', {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['40%', '68%'], center: ['50%', '44%'], label: { formatter: '{c}' }, data: statuses.map((s) => ({ name: label(STATUS_LABELS, s), value: p.accountsByStatus[s] })) }],
  });
  replace(
    'table-status',
    table([{ header: 'Status 状态', cell: (s: string) => label(STATUS_LABELS, s) }, { header: 'Accounts 账户数', cell: (s) => formatCount(p.accountsByStatus[s]), numeric: true }], statuses, { 'data-table': 'status' }),
  );

  draw('chart-outstanding', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { ...GRID, left: 190, right: 96 },
    xAxis: moneyAxis(),
    yAxis: { type: 'category', inverse: true, data: KINDS.map((k) => label(OUTSTANDING_LABELS, k)) },
    series: [{ type: 'bar', barMaxWidth: 22, data: KINDS.map((k) => chartNumber(p.outstanding[k])), label: { show: true, position: 'right', formatter: (x: { dataIndex: number }) => formatMoney(p.outstanding[KINDS[x.dataIndex]]) } }],
  });

  renderDelinquency(p, onBucket);
  renderFunnel(p);
}

function renderDelinquency(p: PortfolioView, onBucket: (bucket: string) => void): void {
  const chart = draw('chart-delinquency', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { ...GRID, right: 72, top: 40 },
    xAxis: { type: 'category', data: p.delinquency.map((d) => d.bucket) },
    yAxis: [{ type: 'value', name: 'accounts', minInterval: 1 }, { ...moneyAxis('CNY'), splitLine: { show: false } }],
    series: [
      { name: 'Accounts 账户数', type: 'bar', barMaxWidth: 36, data: p.delinquency.map((d, i) => ({ value: d.accounts, itemStyle: { color: BUCKET_COLOURS[i] } })) },
      { name: 'Overdue amount 逾期金额', type: 'line', yAxisIndex: 1, symbolSize: 8, data: p.delinquency.map((d) => chartNumber(d.overdue)) },
    ],
  });
  chart.off('click');
  chart.on('click', (event) => onBucket(String(event.name)));
  replace(
    'table-delinquency',
    table(
      [
        { header: 'Bucket 逾期分档', cell: (d: PortfolioView['delinquency'][number]) => el('a', { href: `#accounts?bucket=${encodeURIComponent(d.bucket)}` }, label(BUCKET_LABELS, d.bucket)) },
        { header: 'Accounts 账户数', cell: (d) => formatCount(d.accounts), numeric: true },
        { header: 'Share 占比', cell: (d) => percentOf(d.accounts, p.exposure.accounts), numeric: true },
        { header: 'Outstanding 在贷余额', cell: (d) => formatMoney(d.outstanding), numeric: true },
        { header: `${TERMS.overdue} amount`, cell: (d) => formatMoney(d.overdue), numeric: true },
      ],
      p.delinquency,
      { 'data-table': 'delinquency' },
    ),
  );

  // The read model keeps buckets as of now only; the monthly series it does keep that moves with
  // delinquency is the penalty interest billed per month, shown as the trend until a bucket history exists.
  draw('chart-delinquency-trend', {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { ...GRID, top: 40 },
    xAxis: { type: 'category', data: p.billedByMonth.map((m) => m.month) },
    yAxis: moneyAxis(),
    series: [{ name: `${TERMS.penalty} billed`, type: 'line', areaStyle: { opacity: 0.15 }, data: p.billedByMonth.map((m) => chartNumber(m.penaltyInterest)), itemStyle: { color: '#d1495b' } }],
  });
  replace(
    'note-delinquency-trend',
    notice('Bucket counts by month need a month-end bucket history in the portfolio read model; until then this shows the penalty interest billed per month, which only overdue balances accrue.'),
  );
}

function renderFunnel(p: PortfolioView): void {
  const channels = Object.keys(p.funnel.byChannel).sort();
  const totals = channels.reduce(
    (t, c) => ({ submitted: t.submitted + p.funnel.byChannel[c].submitted, approved: t.approved + p.funnel.byChannel[c].approved, rejected: t.rejected + p.funnel.byChannel[c].rejected }),
    { submitted: 0, approved: 0, rejected: 0 },
  );
  replace(
    'funnel-figures',
    figure('funnel.submitted', 'Applications 申请', formatCount(totals.submitted), String(totals.submitted)),
    figure('funnel.approved', 'Approved 通过', formatCount(totals.approved), String(totals.approved), `${percentOf(totals.approved, totals.submitted)} approval rate 通过率`),
    figure('funnel.rejected', 'Rejected 拒绝', formatCount(totals.rejected), String(totals.rejected)),
  );
  draw('chart-funnel', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { ...GRID, top: 40 },
    xAxis: { type: 'category', data: channels.map((c) => label(CHANNEL_LABELS, c)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: (['submitted', 'approved', 'rejected'] as const).map((stage, i) => ({
      name: ['Submitted 申请', 'Approved 通过', 'Rejected 拒绝'][i],
      type: 'bar',
      itemStyle: { color: ['#2f6fdf', '#2a9d8f', '#d1495b'][i] },
      barMaxWidth: 28,
      data: channels.map((c) => p.funnel.byChannel[c][stage]),
    })),
  });
  const reasons = Object.entries(p.funnel.rejectionReasons).sort((a, b) => b[1] - a[1]);
  draw('chart-rejections', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { ...GRID, left: 230 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: reasons.map(([r]) => label(REASON_LABELS, r)) },
    series: [{ type: 'bar', barMaxWidth: 18, data: reasons.map(([, n]) => n), itemStyle: { color: '#d1495b' }, label: { show: true, position: 'right' } }],
  });
}
