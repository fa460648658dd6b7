/// <reference lib="dom" />
/** Quarterly limit reviews (额度调整): decisions per quarter and their reasons, from the portfolio. */
import type { PortfolioView } from '@ledger/projections';
import { draw, GRID, listed } from './charts';
import { el, notice, replace, table } from './dom';
import { formatCount, formatMoney } from './format';
import { DECISION_LABELS, label, REASON_LABELS } from './labels';

const DECISIONS = ['increased', 'decreased', 'unchanged'] as const;
const DECISION_COLOURS = ['#2a9d8f', '#d1495b', '#7a8b99'];

export function renderReviews(p: PortfolioView): void {
  const quarters = p.limitChangesByQuarter;
  if (quarters.length === 0) replace('note-reviews', notice('No quarter has been reviewed yet: each quarter is reviewed on the first day of the next, when its limit changes take effect.'));
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
  }, `Limit review decisions per quarter reviewed (each taking effect on the first day of the next quarter): ${listed(quarters.map((q) => `${q.quarter} ${DECISIONS.map((d) => `${formatCount(q[d])} ${d}`).join(', ')}`), '; ')}.`);
  replace(
    'table-reviews',
    table(
      [
        { header: 'Quarter reviewed 考核季度', cell: (q: PortfolioView['limitChangesByQuarter'][number]) => q.quarter },
        { header: DECISION_LABELS.INCREASED, cell: (q) => formatCount(q.increased), numeric: true },
        { header: DECISION_LABELS.DECREASED, cell: (q) => formatCount(q.decreased), numeric: true },
        { header: DECISION_LABELS.UNCHANGED, cell: (q) => formatCount(q.unchanged), numeric: true },
        { header: 'Net limit change 额度净变化', cell: (q) => formatMoney(q.netLimitChange), numeric: true },
      ],
      quarters,
      { 'data-table': 'reviews' },
    ),
  );
  renderReviewReasons(p);
}

type ReasonCount = PortfolioView['limitReviewReasons'][number];

/**
 * Reasons per quarter and decision, counted over every review. A review can give several reasons (a raise
 * capped by the pay score, say), so a decision's reasons may add up to more than its accounts.
 */
function renderReviewReasons(p: PortfolioView): void {
  const decisionOrder = (decision: string) => DECISIONS.findIndex((d) => d.toUpperCase() === decision);
  const rows = [...p.limitReviewReasons].sort(
    (a, b) => b.quarter.localeCompare(a.quarter) || decisionOrder(a.decision) - decisionOrder(b.decision) || b.accounts - a.accounts || a.reason.localeCompare(b.reason),
  );
  if (rows.length === 0) {
    replace('table-review-reasons', notice('No account has been reviewed yet.'));
    return;
  }
  replace(
    'table-review-reasons',
    el('p', { class: 'muted' }, 'Reasons as recorded on each review (额度调整原因), over all reviews; one review can give several reasons.'),
    table(
      [
        { header: 'Quarter reviewed 考核季度', cell: (r: ReasonCount) => r.quarter },
        { header: 'Decision 结果', cell: (r) => label(DECISION_LABELS, r.decision) },
        { header: 'Reason 原因', cell: (r) => label(REASON_LABELS, r.reason) },
        { header: 'Accounts 账户数', cell: (r) => formatCount(r.accounts), numeric: true },
      ],
      rows,
      { 'data-table': 'review-reasons' },
    ),
  );
}
