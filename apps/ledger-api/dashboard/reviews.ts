/// <reference lib="dom" />
/** Quarterly limit reviews (额度调整): decisions per quarter from the portfolio, reasons from a sample of accounts. */
import type { LimitReviewView, PortfolioView } from '@ledger/projections';
import { draw, GRID } from './charts';
import { el, notice, replace, table } from './dom';
import { formatCount, formatMoney } from './format';
import { DECISION_LABELS, label, REASON_LABELS } from './labels';

const DECISIONS = ['increased', 'decreased', 'unchanged'] as const;
const DECISION_COLOURS = ['#2a9d8f', '#d1495b', '#7a8b99'];

export function renderReviews(p: PortfolioView): void {
  const quarters = p.limitChangesByQuarter;
  if (quarters.length === 0) replace('note-reviews', notice('No quarter has been reviewed yet: reviews run at the end of each quarter.'));
  else replace('note-reviews', null);
  draw('chart-reviews', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { ...GRID, top: 40 },
    xAxis: { type: 'category', data: quarters.map((q) => q.quarter) },
    yAxis: { type: 'value', minInterval: 1, name: 'accounts' },
    series: DECISIONS.map((d, i) => ({
      name: label(DECISION_LABELS, d.toUpperCase()),
      type: 'bar',
      stack: 'decisions',
      barMaxWidth: 48,
      itemStyle: { color: DECISION_COLOURS[i] },
      data: quarters.map((q) => q[d]),
    })),
  });
  replace(
    'table-reviews',
    table(
      [
        { header: 'Quarter 季度', cell: (q: PortfolioView['limitChangesByQuarter'][number]) => q.quarter },
        { header: DECISION_LABELS.INCREASED, cell: (q) => formatCount(q.increased), numeric: true },
        { header: DECISION_LABELS.DECREASED, cell: (q) => formatCount(q.decreased), numeric: true },
        { header: DECISION_LABELS.UNCHANGED, cell: (q) => formatCount(q.unchanged), numeric: true },
        { header: 'Net limit change 额度净变化', cell: (q) => formatMoney(q.netLimitChange), numeric: true },
      ],
      quarters,
      { 'data-table': 'reviews' },
    ),
  );
}

/** Reasons per quarter and decision, counted over the reviews of the sampled accounts. */
export function renderReviewReasons(reviews: LimitReviewView[], sampledAccounts: number, activeAccounts: number): void {
  const counts = new Map<string, number>();
  for (const review of reviews) for (const reason of review.reasons.length ? review.reasons : ['—']) {
    const key = `${review.quarter}|${review.decision}|${reason}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows = [...counts.entries()].map(([key, n]) => ({ parts: key.split('|'), n })).sort((a, b) => (a.parts[0] === b.parts[0] ? b.n - a.n : b.parts[0].localeCompare(a.parts[0])));
  replace(
    'table-review-reasons',
    el('p', { class: 'muted' }, `Reasons as recorded on each review (额度调整原因), over ${formatCount(sampledAccounts)} of ${formatCount(activeAccounts)} active accounts.`),
    rows.length === 0
      ? notice('None of these accounts has been reviewed yet.')
      : table(
          [
            { header: 'Quarter 季度', cell: (r: { parts: string[]; n: number }) => r.parts[0] },
            { header: 'Decision 结果', cell: (r) => label(DECISION_LABELS, r.parts[1]) },
            { header: 'Reason 原因', cell: (r) => label(REASON_LABELS, r.parts[2]) },
            { header: 'Reviews 次数', cell: (r) => formatCount(r.n), numeric: true },
          ],
          rows,
          { 'data-table': 'review-reasons' },
        ),
  );
}
