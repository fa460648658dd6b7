/// <reference lib="dom" />
/**
 * The risk cards of the overview: vintage curves (the share of each approval month's accounts past due,
 * by months on book) and the latest month end's roll rates (where each bucket's accounts went). Each is
 * read from its own route and says in itself why when it could not be, while the rest of the page draws.
 */
import type { RollMonth, RollRatesView, VintageCohort, VintagesView } from '@ledger/projections';
import Decimal from 'decimal.js';
import { get, readModel, settle, type Settled } from './api';
import { draw, GRID, listed, PALETTE } from './charts';
import { byId, el, notice, replace, table } from './dom';
import { chartNumber, formatCount, formatMoney, percentOf } from './format';
import { BUCKET_LABELS, label } from './labels';

/** The cohorts the chart draws: a year of approval months, as risk reviews a revolving book. */
const COHORTS_SHOWN = 12;
/** A colour for each of them, the page's own first. */
const COHORT_COLOURS = [...PALETTE, '#264653', '#b5838d', '#6d597a', '#90be6d', '#577590'];
/** The buckets in order, as the labels list them. */
const BUCKETS = Object.keys(BUCKET_LABELS);

/** YYYY-MM `months` months before `month`. */
function monthsBefore(month: string, months: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * Reads and draws both cards: the last twelve cohorts that have accounts (a year of approval months
 * counted back from the last close left out a book's oldest cohorts, often its largest, once no account
 * had been approved for a while), and the roll rates from the month end before the last closed day's
 * month (`lastClosed`).
 */
export async function renderRisk(lastClosed: string | null): Promise<void> {
  const month = lastClosed?.slice(0, 7);
  const [vintages, rolls] = await Promise.all([
    settle(get<VintagesView>(readModel(`/portfolio/vintages?last=${COHORTS_SHOWN}`))),
    settle(get<RollRatesView>(readModel(month ? `/portfolio/roll-rates?from=${monthsBefore(month, 1)}` : '/portfolio/roll-rates'))),
  ]);
  renderVintages(vintages);
  renderRollRates(rolls);
}

function renderVintages(answer: Settled<VintagesView>): void {
  const chart = byId('chart-vintages');
  if ('error' in answer) {
    chart.hidden = true;
    replace('table-vintages');
    replace('note-vintages', notice(`Could not load the vintage curves: ${answer.error.message}`, 'error'));
    return;
  }
  const cohorts = answer.value.cohorts;
  const older = answer.value.olderCohorts;
  chart.hidden = false;
  replace(
    'note-vintages',
    cohorts.length === 0
      ? notice('No month has closed with an open account yet: each cohort is counted at every month end from its first.')
      : older > 0
        ? notice(`The last ${COHORTS_SHOWN} approval months with accounts; ${formatCount(older)} older ${older === 1 ? 'cohort is' : 'cohorts are'} not drawn (GET /portfolio/vintages has every one).`)
        : null,
  );
  const longest = Math.max(0, ...cohorts.map((c) => c.monthEnds[c.monthEnds.length - 1].monthsOnBook));
  const latest = (c: VintageCohort) => c.monthEnds[c.monthEnds.length - 1];
  draw(
    'chart-vintages',
    {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v}%` },
      legend: { top: 0, type: 'scroll' },
      grid: { ...GRID, top: 48 },
      xAxis: { type: 'category', name: 'months on book', nameLocation: 'middle', nameGap: 24, data: Array.from({ length: longest + 1 }, (_, i) => String(i)) },
      yAxis: { type: 'value', name: 'M1+ %', min: 0 },
      color: COHORT_COLOURS,
      series: cohorts.map((c) => {
        const points = new Array<number | null>(longest + 1).fill(null);
        // The share as a percentage, for the line's height only: the table below shows the figures.
        for (const m of c.monthEnds) points[m.monthsOnBook] = chartNumber(new Decimal(m.m1Plus.share).times(100).toFixed());
        return { name: c.cohort, type: 'line', symbolSize: 6, connectNulls: false, data: points };
      }),
    },
    `Share of each approval month's accounts past due (M1+) by months on book: ${listed(cohorts.map((c) => `${c.cohort} ${percentOf(latest(c).m1Plus.accounts, latest(c).accounts)} at ${latest(c).monthsOnBook} months`), '; ')}.`,
  );
  replace(
    'table-vintages',
    table(
      [
        { header: 'Cohort 批次', cell: (c: VintageCohort) => c.cohort },
        { header: 'On book 账龄 (months)', cell: (c) => String(latest(c).monthsOnBook), numeric: true },
        { header: 'Accounts 账户数', cell: (c) => formatCount(latest(c).accounts), numeric: true },
        { header: 'M1+', cell: (c) => el('span', { title: `${formatCount(latest(c).m1Plus.accounts)} accounts, ${formatMoney(latest(c).m1Plus.outstanding)}` }, percentOf(latest(c).m1Plus.accounts, latest(c).accounts)), numeric: true },
        { header: 'M3+', cell: (c) => el('span', { title: `${formatCount(latest(c).m3Plus.accounts)} accounts, ${formatMoney(latest(c).m3Plus.outstanding)}` }, percentOf(latest(c).m3Plus.accounts, latest(c).accounts)), numeric: true },
      ],
      [...cohorts].reverse(),
      { 'data-table': 'vintages' },
    ),
  );
}

type RollRow = RollMonth['rows'][number];

function renderRollRates(answer: Settled<RollRatesView>): void {
  if ('error' in answer) {
    replace('note-roll-rates', null);
    replace('table-roll-rates', notice(`Could not load the roll rates: ${answer.error.message}`, 'error'));
    return;
  }
  const month = answer.value.months[answer.value.months.length - 1];
  if (month === undefined) {
    replace('note-roll-rates', null);
    replace('table-roll-rates', notice('No month has closed yet: roll rates compare each month end with the one before.'));
    return;
  }
  replace('note-roll-rates', `Month end ${month.month}: each row is the accounts in a bucket at the month end before (New: not open then), each cell the share of them in the column's bucket now.`);
  replace(
    'table-roll-rates',
    table(
      [
        { header: 'From 上月末', cell: (r: RollRow) => (r.from === 'NEW' ? 'New 新增' : label(BUCKET_LABELS, r.from)) },
        { header: 'Accounts 账户数', cell: (r) => formatCount(r.accounts), numeric: true },
        ...BUCKETS.map((bucket, i) => ({
          header: `→ ${bucket}`,
          cell: (r: RollRow) => el('span', { title: rollTitle(r, r.to[i]), 'data-accounts': String(r.to[i].accounts) }, percentOf(r.to[i].accounts, r.accounts)),
          numeric: true,
        })),
      ],
      month.rows,
      { 'data-table': 'roll-rates', 'data-month': month.month },
    ),
  );
}

/** A roll cell's counts, what they owe, and for overdue accounts why their oldest overdue began. */
function rollTitle(row: RollRow, cell: RollRow['to'][number]): string {
  const { MINIMUM_NOT_PAID: missed, DEFERRAL_LIMIT_REACHED: carried } = cell.byKind;
  const why = missed + carried > 0 ? `: ${formatCount(missed)} a minimum not paid, ${formatCount(carried)} carried past 90 days` : '';
  return `${formatCount(cell.accounts)} of ${formatCount(row.accounts)} accounts, ${formatMoney(cell.outstanding)} owed${why}`;
}
