/// <reference lib="dom" />
/**
 * Portfolio overview (资产概览): status, outstanding by kind, utilization, delinquency now and at each month end,
 * the application funnel.
 */
import type { PortfolioView } from '@ledger/projections';
import { listHash } from './accounts-list';
import { BUCKET_COLOURS, draw, GRID, labelledBars, listed, moneyAxis } from './charts';
import { el, figure, notice, replace, table } from './dom';
import { chartNumber, formatCount, formatMoney, percentOf, sum } from './format';
import { BUCKET_LABELS, CHANNEL_LABELS, label, OUTSTANDING_LABELS, REASON_LABELS, STATUS_LABELS, TERMS } from './labels';

const KINDS = ['revolvingUnbilled', 'revolvingBilled', 'installment', 'interest', 'fees', 'penalty'] as const;
const OVERDUE_BUCKETS = ['M1', 'M2', 'M3', 'M3+'];

export function renderOverview(p: PortfolioView, onBucket: (bucket: string) => void): void {
  // What is owed against the limits, uncapped (an account over its limit counts whole), as the quarterly review reads utilization.
  const used = p.outstanding.total;
  const { restricted } = p.exposure;
  const delinquent = p.delinquency.filter((d) => OVERDUE_BUCKETS.includes(d.bucket));
  const overdueTotal = sum(delinquent.map((d) => d.overdue));
  const delinquentAccounts = delinquent.reduce((n, d) => n + d.accounts, 0);
  const disputes = p.disputes.byMonth[p.disputes.byMonth.length - 1];
  replace(
    'overview-figures',
    figure('outstanding.total', 'Outstanding 在贷余额', formatMoney(p.outstanding.total), p.outstanding.total),
    figure('accounts.active', 'Active accounts 已开通账户', formatCount(p.accountsByStatus.ACTIVE ?? 0), String(p.accountsByStatus.ACTIVE ?? 0)),
    figure('exposure.limit', TERMS.limit, formatMoney(p.exposure.limit), p.exposure.limit, `${formatCount(p.exposure.accounts)} accounts`),
    figure('exposure.available', TERMS.available, formatMoney(p.exposure.available), p.exposure.available, 'limit not yet used'),
    figure('exposure.drawable', 'Drawable now 当前可用', formatMoney(p.exposure.drawable), p.exposure.drawable, `less ${formatMoney(restricted.available)} on ${formatCount(restricted.accounts)} ${restricted.accounts === 1 ? 'account' : 'accounts'} frozen, suspended, locked or closed`),
    figure('utilization', 'Utilization 额度使用率', percentOf(used, p.exposure.limit), used, `${formatMoney(used)} owed (principal, interest, fees and penalty; an account over its limit counts whole) of ${formatMoney(p.exposure.limit)} of limits`),
    figure('overdue.total', 'Overdue amount 逾期金额', formatMoney(overdueTotal), overdueTotal, `unpaid minimums (the whole remainder past 90 days), ${formatCount(delinquentAccounts)} ${delinquentAccounts === 1 ? 'account' : 'accounts'} in M1+`),
    figure(
      'disputes.open',
      'Disputes open 争议处理中',
      formatCount(p.disputes.open),
      String(p.disputes.open),
      disputes
        ? `${disputes.month}: ${formatCount(disputes.opened)} opened, ${formatCount(disputes.upheld)} upheld (${formatMoney(disputes.reversed)} reversed), ${formatCount(disputes.rejected)} rejected`
        : 'no disputed draw yet',
    ),
  );

  const statuses = Object.keys(p.accountsByStatus).sort();
  draw('chart-status', {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['40%', '68%'], center: ['50%', '44%'], label: { formatter: '{c}' }, data: statuses.map((s) => ({ name: label(STATUS_LABELS, s), value: p.accountsByStatus[s] })) }],
  }, `Accounts by status: ${listed(statuses.map((s) => `${label(STATUS_LABELS, s)} ${formatCount(p.accountsByStatus[s])}`))}.`);
  replace(
    'table-status',
    table([{ header: 'Status 状态', cell: (s: string) => label(STATUS_LABELS, s) }, { header: 'Accounts 账户数', cell: (s) => formatCount(p.accountsByStatus[s]), numeric: true }], statuses, { 'data-table': 'status' }),
  );

  draw(
    'chart-outstanding',
    {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      ...labelledBars(KINDS.map((k) => label(OUTSTANDING_LABELS, k)), 96),
      xAxis: moneyAxis(),
      series: [{ type: 'bar', barMaxWidth: 22, data: KINDS.map((k) => chartNumber(p.outstanding[k])), label: { show: true, position: 'right', formatter: (x: { dataIndex: number }) => formatMoney(p.outstanding[KINDS[x.dataIndex]]) } }],
    },
    `Outstanding by kind, ${formatMoney(p.outstanding.total)} in all: ${listed(KINDS.map((k) => `${label(OUTSTANDING_LABELS, k)} ${formatMoney(p.outstanding[k])}`))}.`,
  );

  renderDelinquency(p, onBucket);
  renderFunnel(p);
}

/** The overdue amount's line in the trend, in a colour no bucket has. */
const OVERDUE_LINE = '#2f6fdf';

/**
 * The overdue buckets only: current accounts outnumber them by hundreds to one, and on one axis with them
 * M1 to M3 would not show. Each bar is a bucket's accounts, labelled with what they owe past due; the
 * current accounts are stated above the chart, and every bucket is in the table below it.
 */
function renderDelinquency(p: PortfolioView, onBucket: (bucket: string) => void): void {
  const overdue = p.delinquency.filter((d) => OVERDUE_BUCKETS.includes(d.bucket));
  const current = p.delinquency.find((d) => d.bucket === 'CURRENT');
  replace(
    'note-delinquency',
    current ? `${label(BUCKET_LABELS, 'CURRENT')}: ${formatCount(current.accounts)} ${current.accounts === 1 ? 'account' : 'accounts'} (${percentOf(current.accounts, p.exposure.accounts)}), not charted. Bars: accounts per overdue bucket, labelled with their overdue amount.` : null,
  );
  const chart = draw(
    'chart-delinquency',
    {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (items: { dataIndex: number }[]) => bucketLine(overdue[items[0].dataIndex]) },
      grid: { ...GRID, top: 48 },
      xAxis: { type: 'category', data: overdue.map((d) => d.bucket) },
      yAxis: { type: 'value', name: 'accounts', minInterval: 1 },
      series: [
        {
          name: 'Accounts 账户数',
          type: 'bar',
          barMaxWidth: 48,
          data: overdue.map((d) => ({ value: d.accounts, itemStyle: { color: BUCKET_COLOURS[p.delinquency.indexOf(d)] } })),
          label: { show: true, position: 'top', lineHeight: 14, formatter: (x: { dataIndex: number }) => `${formatCount(overdue[x.dataIndex].accounts)}\n${formatMoney(overdue[x.dataIndex].overdue)}` },
        },
      ],
    },
    `Accounts per overdue bucket, with their overdue amount: ${listed(overdue.map(bucketLine))}${current ? `; not charted, ${formatCount(current.accounts)} current` : ''}.`,
  );
  chart.off('click');
  chart.on('click', (event) => onBucket(String(event.name)));
  replace(
    'table-delinquency',
    table(
      [
        // The buckets count opened accounts (active ones: no event closes an account yet), and the list they open is filtered to them.
        { header: 'Bucket 逾期分档', cell: (d: PortfolioView['delinquency'][number]) => el('a', { href: listHash({ status: 'ACTIVE', bucket: d.bucket }) }, label(BUCKET_LABELS, d.bucket)) },
        // Each share beside its figure: of the opened accounts, and of everything owed.
        { header: 'Accounts 账户数 (share)', cell: (d) => `${formatCount(d.accounts)} (${percentOf(d.accounts, p.exposure.accounts)})`, numeric: true },
        { header: 'Outstanding 在贷余额 (share)', cell: (d) => `${formatMoney(d.outstanding)} (${percentOf(d.outstanding, p.outstanding.total)})`, numeric: true },
        { header: 'Overdue 逾期金额', cell: (d) => formatMoney(d.overdue), numeric: true },
      ],
      p.delinquency,
      { 'data-table': 'delinquency' },
    ),
  );
  // Why each overdue bucket's accounts are overdue: most of M3+ can be customers who paid every minimum
  // and reached the 90 days' end. A table of its own, so that both fit in half a row.
  replace(
    'table-delinquency-kind',
    table(
      [
        { header: 'Bucket, by why overdue 逾期原因', cell: (d: PortfolioView['delinquency'][number]) => label(BUCKET_LABELS, d.bucket) },
        { header: 'Minimum not paid 未还最低还款', cell: (d) => overdueOfKind(d, 'MINIMUM_NOT_PAID'), numeric: true },
        { header: 'Carried past 90 days 延期满90天', cell: (d) => overdueOfKind(d, 'DEFERRAL_LIMIT_REACHED'), numeric: true },
      ],
      overdue,
      { 'data-table': 'delinquency-kind' },
    ),
  );

  renderDelinquencyTrend(p);
}

function bucketLine(d: PortfolioView['delinquency'][number]): string {
  return `${d.bucket} ${formatCount(d.accounts)} ${d.accounts === 1 ? 'account' : 'accounts'}, ${formatMoney(d.overdue)} overdue`;
}

/** A bucket's overdue accounts of one kind and what they owe past due. */
function overdueOfKind(d: PortfolioView['delinquency'][number], kind: keyof PortfolioView['delinquency'][number]['byKind']): string {
  const { accounts, overdue } = d.byKind[kind];
  return `${formatCount(accounts)} · ${formatMoney(overdue)}`;
}

interface TrendMonth {
  month: string;
  accounts: Record<string, number>;
  overdue: string;
}

/** One entry per month-end the read model kept, oldest first; buckets with no accounts that month count 0. */
function delinquencyTrend(p: PortfolioView): TrendMonth[] {
  const months = [...new Set(p.delinquencyByMonth.map((r) => r.month))].sort();
  return months.map((month) => {
    const rows = p.delinquencyByMonth.filter((r) => r.month === month && OVERDUE_BUCKETS.includes(r.bucket));
    return {
      month,
      accounts: Object.fromEntries(OVERDUE_BUCKETS.map((b) => [b, rows.find((r) => r.bucket === b)?.accounts ?? 0])),
      overdue: sum(rows.map((r) => r.overdue)),
    };
  });
}

function renderDelinquencyTrend(p: PortfolioView): void {
  const trend = delinquencyTrend(p);
  const summary = trend.length
    ? `Overdue accounts per bucket at each month end: ${listed(trend.map((m) => `${m.month} ${OVERDUE_BUCKETS.map((b) => `${b} ${formatCount(m.accounts[b])}`).join(', ')}, ${formatMoney(m.overdue)} overdue`), '; ')}.`
    : 'Overdue accounts per bucket at each month end: no month has closed yet.';
  draw('chart-delinquency-trend', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, type: 'scroll' },
    grid: { ...GRID, right: 72, top: 60 },
    xAxis: { type: 'category', data: trend.map((m) => m.month) },
    yAxis: [{ type: 'value', name: 'accounts', minInterval: 1 }, { ...moneyAxis('CNY'), splitLine: { show: false } }],
    series: [
      ...OVERDUE_BUCKETS.map((bucket, i) => ({
        name: label(BUCKET_LABELS, bucket),
        type: 'bar',
        stack: 'buckets',
        barMaxWidth: 36,
        itemStyle: { color: BUCKET_COLOURS[i + 1] },
        data: trend.map((m) => m.accounts[bucket]),
      })),
      { name: 'Overdue amount 逾期金额', type: 'line', yAxisIndex: 1, symbolSize: 8, itemStyle: { color: OVERDUE_LINE }, data: trend.map((m) => chartNumber(m.overdue)) },
    ],
  }, summary);
  if (trend.length === 0) {
    replace('table-delinquency-trend', notice('No month has closed yet: the trend keeps the buckets as they stood when each month closed.'));
    return;
  }
  replace(
    'table-delinquency-trend',
    table(
      [
        { header: 'Month end 月末', cell: (m: TrendMonth) => m.month },
        // Bucket codes only: the full labels are in the legend above, and the table must fit half a row.
        ...OVERDUE_BUCKETS.map((bucket) => ({ header: `${bucket} 账户`, cell: (m: TrendMonth) => formatCount(m.accounts[bucket]), numeric: true })),
        { header: 'Overdue 逾期金额', cell: (m) => formatMoney(m.overdue), numeric: true },
      ],
      [...trend].reverse(),
      { 'data-table': 'delinquency-trend' },
    ),
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
  }, `Applications per channel: ${listed(channels.map((c) => `${label(CHANNEL_LABELS, c)} ${formatCount(p.funnel.byChannel[c].submitted)} submitted, ${formatCount(p.funnel.byChannel[c].approved)} approved, ${formatCount(p.funnel.byChannel[c].rejected)} rejected`), '; ')}.`);
  const reasons = Object.entries(p.funnel.rejectionReasons).sort((a, b) => b[1] - a[1]);
  draw(
    'chart-rejections',
    {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      ...labelledBars(reasons.map(([r]) => label(REASON_LABELS, r)), 40),
      xAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', barMaxWidth: 18, data: reasons.map(([, n]) => n), itemStyle: { color: '#d1495b' }, label: { show: true, position: 'right' } }],
    },
    `Rejected applications per reason: ${listed(reasons.map(([r, n]) => `${label(REASON_LABELS, r)} ${formatCount(n)}`))}.`,
  );
  // The reasons count each reason a rejection gave, so they add up to more than the rejections when one gave several.
  const reasonsGiven = reasons.reduce((n, [, count]) => n + count, 0);
  replace(
    'note-rejections',
    reasons.length > 0 ? `${formatCount(reasonsGiven)} ${reasonsGiven === 1 ? 'reason' : 'reasons'} over ${formatCount(totals.rejected)} rejected ${totals.rejected === 1 ? 'application' : 'applications'}: one rejection can give several reasons.` : null,
  );
}
