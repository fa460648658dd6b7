/**
 * `npm run bench:risk-reads [-- --years 1,5,10]`: what the portfolio's risk reads cost as its history
 * grows. The main suite's fixtures open every account in one month, so their portfolios hold one cohort;
 * here a portfolio read model gets a cohort approved every month for each number of years, its month-end
 * rows written through the projection's own functions (`addMonthEndBuckets`, `addMonthEndRoll`), and the
 * reads risk staff and the dashboard make are timed in process, without HTTP: the dashboard's last twelve
 * cohorts of vintages and its roll rates from the month end before the last, the roll rates of every month
 * end, and the overview, which reads past the risk rows. Each read 20 times, then 100 timed.
 */
import Database from 'better-sqlite3';
import { Money, nextMonth } from '@ledger/credit';
import {
  addMonthEndBuckets,
  addMonthEndRoll,
  createProjections,
  type Contribution,
  type Figures,
  getPortfolio,
  getRollRates,
  getVintages,
  PORTFOLIO_KEY_SEPARATOR as SEP,
  splitKey,
} from '@ledger/projections';

const BUCKETS = ['CURRENT', 'M1', 'M2', 'M3', 'M3+'];
const YEARS = (process.argv.includes('--years') ? process.argv[process.argv.indexOf('--years') + 1] : '1,5,10').split(',').map(Number);

/** A read model with `years` of month ends, a cohort approved in every month, 100 accounts in each bucket of each. */
function portfolioOf(years: number): { db: Database.Database; months: string[] } {
  const db = new Database(':memory:');
  for (const projection of createProjections()) for (const ddl of projection.ddl) db.exec(ddl);
  const months = ['2026-01'];
  while (months.length < years * 12) months.push(nextMonth(months[months.length - 1]));
  const figures: Figures = new Map();
  const amount = Money.of('12345.67');
  for (const month of months) {
    for (const cohort of months.filter((c) => c <= month)) {
      for (const bucket of BUCKETS) {
        const accounts: Contribution = [
          { id: `bucket${SEP}${bucket}`, count: 100, amount },
          { id: `vintage${SEP}${cohort}${SEP}${bucket}`, count: 100, amount },
        ];
        addMonthEndBuckets(figures, accounts, month);
        for (const from of ['NEW', ...BUCKETS]) addMonthEndRoll(figures, accounts, from, month);
      }
    }
  }
  const insert = db.prepare('INSERT INTO portfolio_figures (section, key, count, amount) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const [id, { count, amount: total }] of figures) insert.run(...splitKey(id), count, total.toExactString());
  })();
  // The last close, which every answer names.
  const last = `${months[months.length - 1]}-28`;
  db.prepare("INSERT INTO business_days (business_date, closed_at, accounts, counts_json, position) VALUES (?, ?, 0, '{}', 0)").run(last, `${last}T23:59:59+08:00`);
  return { db, months };
}

function msPerCall(read: () => unknown): number {
  for (let i = 0; i < 20; i++) read();
  const start = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) read();
  return Number(process.hrtime.bigint() - start) / 100 / 1e6;
}

const rows: string[][] = [];
for (const years of YEARS) {
  const { db, months } = portfolioOf(years);
  const reads: [string, () => unknown][] = [
    ['vintages, the last 12 cohorts (the dashboard)', () => getVintages(db, { last: 12 })],
    ['roll rates from the month end before the last (the dashboard)', () => getRollRates(db, { from: months[months.length - 2] })],
    ['roll rates of every month end', () => getRollRates(db)],
    ['the portfolio overview', () => getPortfolio(db)],
  ];
  const cohorts = getVintages(db, { last: 12 }).cohorts.length;
  if (cohorts !== Math.min(12, months.length)) throw new Error(`the read model answered ${cohorts} cohorts, not ${Math.min(12, months.length)}: its keys are not the projection's`);
  for (const [name, read] of reads) rows.push([`${years}`, name, msPerCall(read).toFixed(2), JSON.stringify(read()).length.toLocaleString('en-US')]);
  db.close();
}
process.stdout.write(['| years of monthly cohorts | read | ms a call | answer (bytes) |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n');
