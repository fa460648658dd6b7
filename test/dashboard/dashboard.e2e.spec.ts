/**
 * The dashboard in a real browser (headless Chromium through playwright-core) over a simulated portfolio:
 * the page loads cleanly, every figure it shows is the API's, and a drill-down shows an account's
 * statements and daily accrual. Screenshots are written to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Dec } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { accountStream } from '@ledger/servicing';
import type { AccountPage, AccountView, AccrualsView, LimitReviewView, PortfolioView, RollRatesView, StatementView, TrialBalanceView, VintagesView } from '@ledger/projections';
import type { InstallmentPlansView } from '../../apps/ledger-api/src/read-side/installment-plans.query';
import type { InstallmentQuoteView } from '../../apps/ledger-api/src/read-side/installment-quote.query';
import type { NextStatementView } from '../../apps/ledger-api/src/read-side/next-statement.query';
import { addDays, formatCount, formatMoney, formatRate, percentOf } from '../../apps/ledger-api/dashboard/format';
import { BUCKET_LABELS, DECISION_LABELS, label, LEDGER_ACCOUNT_LABELS, PLAN_END_LABELS, PLAN_STATUS_LABELS, REASON_LABELS } from '../../apps/ledger-api/dashboard/labels';
import { application } from '../support/ledger-app';
import { AUDITOR_KEY, type DashboardFixture, startDashboard, unexpectedErrors, VIEWER_KEY } from './dashboard-fixture';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const OVERDUE_BUCKETS = ['M1', 'M2', 'M3', 'M3+'];
const DECISION_ORDER = ['INCREASED', 'DECREASED', 'UNCHANGED'];

async function figureOf(page: Page, name: string): Promise<{ value: string | null; shown: string }> {
  const figure = page.locator(`[data-figure="${name}"]`);
  return { value: await figure.getAttribute('data-value'), shown: (await figure.locator('.figure-value').innerText()).trim() };
}

const NO_MATCH = 'No account matches these filters.';

/** What the account list shows: its account ids, or with none its message. */
function accountListShown(): string[] {
  const ids = Array.from(document.querySelectorAll('#account-list [data-account]'), (a) => a.getAttribute('data-account') ?? '');
  return ids.length > 0 ? ids : [document.getElementById('account-list')?.textContent ?? ''];
}

/** What the account list shows once it shows `expected`, or after a few seconds, so the expectation then says what it shows instead. */
async function listShown(page: Page, expected: string[]): Promise<string[]> {
  let shown = await page.evaluate(accountListShown);
  for (let waited = 0; waited < 5_000 && JSON.stringify(shown) !== JSON.stringify(expected); waited += 100) {
    await page.waitForTimeout(100);
    shown = await page.evaluate(accountListShown);
  }
  return shown;
}

/** Fires the page's 15 s refresh on Playwright's clock and waits until it has run. */
async function refreshNow(page: Page): Promise<void> {
  const before = Number(await page.locator('body').getAttribute('data-refreshes'));
  await page.clock.fastForward(15_000);
  await page.waitForSelector(`body[data-refreshes="${before + 1}"]`);
}

/** Each table shown: its name, whether it fits its wrapper, and whether the wrapper scrolls sideways. */
function tablesShown(page: Page): Promise<{ table?: string; wrapped: boolean; fits: boolean; scrolls: boolean }[]> {
  return page.locator('main table').evaluateAll((tables) =>
    tables
      .filter((t) => (t as HTMLElement).offsetParent !== null)
      .map((t) => {
        const wrap = t.parentElement!;
        return { table: (t as HTMLElement).dataset.table, wrapped: wrap.classList.contains('table-wrap'), fits: wrap.scrollWidth <= wrap.clientWidth, scrolls: ['auto', 'scroll'].includes(getComputedStyle(wrap.closest('.scroll') ?? wrap).overflowX) };
      }),
  );
}

/** Whether the page itself fits the window, so it never scrolls sideways. */
function pageFits(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
}

/** The table's body as rows of trimmed cell texts. */
function rowsOf(page: Page, table: string): Promise<string[][]> {
  return page.locator(`table[data-table="${table}"] tbody tr`).evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => (c.textContent ?? '').trim())));
}

describe('the dashboard in headless Chromium', () => {
  let dashboard: DashboardFixture;
  let portfolio: PortfolioView;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dashboard = await startDashboard();
    portfolio = await dashboard.api<PortfolioView>('/portfolio');
  }, 180_000);

  /** What the account list should show for a query: the API's first page of ids, or the message for none. */
  async function listExpected(query: string): Promise<string[]> {
    const ids = (await dashboard.api<AccountPage>(`/accounts?${query}&limit=25`)).items.map((a) => a.accountId);
    return ids.length > 0 ? ids : [NO_MATCH];
  }

  afterAll(async () => {
    await dashboard?.close();
  });

  it('loads the portfolio view with no console errors and shows the API figures', async () => {
    const { page, errors } = await dashboard.open('/dashboard');
    const clock = await dashboard.api<{ businessDate: string }>('/operations/clock');

    expect(await figureOf(page, 'outstanding.total')).toEqual({ value: portfolio.outstanding.total, shown: formatMoney(portfolio.outstanding.total) });
    expect(await figureOf(page, 'exposure.limit')).toEqual({ value: portfolio.exposure.limit, shown: formatMoney(portfolio.exposure.limit) });
    expect(await figureOf(page, 'exposure.available')).toEqual({ value: portfolio.exposure.available, shown: formatMoney(portfolio.exposure.available) });
    expect(await figureOf(page, 'exposure.drawable')).toEqual({ value: portfolio.exposure.drawable, shown: formatMoney(portfolio.exposure.drawable) });
    // The simulated portfolio has frozen accounts, whose unused limit is not drawable.
    expect(portfolio.exposure.restricted.accounts).toBeGreaterThan(0);
    expect(new Dec(portfolio.exposure.drawable).lessThan(portfolio.exposure.available)).toBe(true);
    expect(await figureOf(page, 'utilization')).toEqual({ value: portfolio.outstanding.total, shown: percentOf(portfolio.outstanding.total, portfolio.exposure.limit) });
    expect(await figureOf(page, 'accounts.active')).toEqual({ value: String(portfolio.accountsByStatus.ACTIVE), shown: formatCount(portfolio.accountsByStatus.ACTIVE) });
    expect(portfolio.accountsByStatus.ACTIVE).toBeGreaterThan(0);

    const delinquency = await rowsOf(page, 'delinquency');
    expect(delinquency.map((r) => r.slice(1))).toEqual(
      portfolio.delinquency.map((d) => [
        `${formatCount(d.accounts)} (${percentOf(d.accounts, portfolio.exposure.accounts)})`,
        `${formatMoney(d.outstanding)} (${percentOf(d.outstanding, portfolio.outstanding.total)})`,
        formatMoney(d.overdue),
      ]),
    );
    // Why the overdue buckets' accounts are overdue, in a table of its own beside the buckets.
    const ofKind = (d: PortfolioView['delinquency'][number], kind: 'MINIMUM_NOT_PAID' | 'DEFERRAL_LIMIT_REACHED') => `${formatCount(d.byKind[kind].accounts)} · ${formatMoney(d.byKind[kind].overdue)}`;
    expect(await rowsOf(page, 'delinquency-kind')).toEqual(
      portfolio.delinquency.filter((d) => OVERDUE_BUCKETS.includes(d.bucket)).map((d) => [label(BUCKET_LABELS, d.bucket), ofKind(d, 'MINIMUM_NOT_PAID'), ofKind(d, 'DEFERRAL_LIMIT_REACHED')]),
    );
    expect(portfolio.delinquency.some((d) => d.byKind.MINIMUM_NOT_PAID.accounts > 0)).toBe(true);
    // Both tables fit their card: no column is cut off behind a scroll bar at 1,440 px (the fixture's viewport).
    for (const name of ['delinquency', 'delinquency-kind']) {
      const fits = await page.locator(`#table-${name} .table-wrap`).evaluate((e) => e.scrollWidth <= e.clientWidth);
      expect([name, fits]).toEqual([name, true]);
    }
    // A bucket opens the list of opened accounts in it, as the bucket counts them.
    await expect(page.locator('table[data-table="delinquency"] a').first().getAttribute('href')).resolves.toBe('#accounts?status=ACTIVE&bucket=CURRENT');
    const months = [...new Set(portfolio.delinquencyByMonth.map((r) => r.month))].sort().reverse();
    const atMonthEnd = (month: string, bucket: string) => portfolio.delinquencyByMonth.find((r) => r.month === month && r.bucket === bucket);
    const overdueAtMonthEnd = (month: string) =>
      OVERDUE_BUCKETS.reduce((total, b) => total.plus(atMonthEnd(month, b)?.overdue ?? '0'), new Dec(0)).toFixed(2);
    expect(await rowsOf(page, 'delinquency-trend')).toEqual(
      months.map((m) => [m, ...OVERDUE_BUCKETS.map((b) => formatCount(atMonthEnd(m, b)?.accounts ?? 0)), formatMoney(overdueAtMonthEnd(m))]),
    );
    expect(months.length).toBeGreaterThanOrEqual(3);
    expect(portfolio.delinquencyByMonth.some((r) => OVERDUE_BUCKETS.includes(r.bucket) && r.accounts > 0)).toBe(true);
    await expect(page.locator('#chart-delinquency-trend canvas').count()).resolves.toBeGreaterThan(0);
    // The chart draws the overdue buckets only, each with its overdue amount; the current accounts are said in words.
    const current = portfolio.delinquency.find((d) => d.bucket === 'CURRENT')!;
    await expect(page.locator('#note-delinquency').innerText()).resolves.toMatch(new RegExp(`^Current .*: ${formatCount(current.accounts)} accounts? \\(.*\\), not charted\\.`));
    await expect(page.locator('#chart-delinquency').getAttribute('aria-label')).resolves.toMatch(/^Accounts per overdue bucket, with their overdue amount: M1 /);
    // Reasons and rejections differ when a rejection gave several reasons, and the card says so.
    const reasonsGiven = Object.values(portfolio.funnel.rejectionReasons).reduce((n, c) => n + c, 0);
    const rejected = Object.values(portfolio.funnel.byChannel).reduce((n, c) => n + c.rejected, 0);
    await expect(page.locator('#note-rejections').innerText()).resolves.toBe(`${formatCount(reasonsGiven)} reasons over ${formatCount(rejected)} rejected applications: one rejection can give several reasons.`);
    await expect(page.locator('#view-overview .notice').count()).resolves.toBe(0);
    const statuses = await rowsOf(page, 'status');
    expect(statuses.map((r) => r[1]).sort()).toEqual(Object.values(portfolio.accountsByStatus).map(formatCount).sort());
    const submitted = Object.values(portfolio.funnel.byChannel).reduce((n, c) => n + c.submitted, 0);
    expect((await figureOf(page, 'funnel.submitted')).value).toBe(String(submitted));
    expect((await figureOf(page, 'disputes.open')).value).toBe(String(portfolio.disputes.open));
    const disputes = portfolio.disputes.byMonth[portfolio.disputes.byMonth.length - 1];
    await expect(page.locator('[data-figure="disputes.open"] .figure-note').innerText()).resolves.toBe(
      disputes ? `${disputes.month}: ${formatCount(disputes.opened)} opened, ${formatCount(disputes.upheld)} upheld (${formatMoney(disputes.reversed)} reversed), ${formatCount(disputes.rejected)} rejected` : 'no disputed draw yet',
    );

    await expect(page.locator('[data-status="business-date"] strong').innerText()).resolves.toBe(clock.businessDate);
    // The last close wrote what takes effect the next day (the month's statements): the figures are as of that day's start.
    const lastClosed = portfolio.lastClosedBusinessDay!;
    await expect(page.locator('[data-status="figures-as-of"] strong').innerText()).resolves.toBe(`start of ${addDays(lastClosed, 1)}, with ${lastClosed}'s close`);
    await expect(page.locator('[data-figure="utilization"] .figure-note').innerText()).resolves.toContain(`of ${formatMoney(portfolio.exposure.limit)} of limits`);
    await expect(page.locator('[data-status="lag"] strong').innerText()).resolves.toMatch(/^\d[\d,]* events$/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('shows the trial balance of the month to date as the API gives it, a range chosen in its card, and says in the card alone when it cannot load', async () => {
    const { page, errors } = await dashboard.open('/dashboard', { clock: true });
    const lastClosed = portfolio.lastClosedBusinessDay!;
    const expectShown = async (from: string, to: string) => {
      await page.waitForSelector(`table[data-table="trial-balance"][data-range="${from}/${to}"]`);
      const tb = await dashboard.api<TrialBalanceView>(`/portfolio/trial-balance?from=${from}&to=${to}`);
      expect(await rowsOf(page, 'trial-balance')).toEqual([
        ...tb.trialBalance.map((r) => [label(LEDGER_ACCOUNT_LABELS, r.ledgerAccount), formatMoney(r.opening), formatMoney(r.debits), formatMoney(r.credits), formatMoney(r.closing)]),
        ['Total 合计', '', formatMoney(tb.totals.debits), formatMoney(tb.totals.credits), formatMoney(tb.totals.closing)],
      ]);
      await expect(page.locator('#note-trial-balance').innerText()).resolves.toMatch(new RegExp(`^${from} to ${to} by posting date, ${formatCount(tb.lineCount)} journal lines?; debits positive`));
      return tb;
    };
    // The month to date of the last closed day: its statements, issued on the 1st, have posted.
    const monthToDate = await expectShown(`${lastClosed.slice(0, 7)}-01`, lastClosed);
    expect([monthToDate.lineCount > 0, monthToDate.totals.closing, monthToDate.totals.debits]).toEqual([true, '0.00', monthToDate.totals.credits]);
    expect(monthToDate.trialBalance.filter((r) => r.opening !== '0.00').length).toBeGreaterThan(3);
    const shown = (await tablesShown(page)).filter((t) => t.table === 'trial-balance');
    expect(shown.map((t) => [t.wrapped, t.fits])).toEqual([[true, true]]);

    await page.fill('#trial-balance-from', '2026-02-01');
    await page.fill('#trial-balance-to', '2026-02-28');
    await page.click('#form-trial-balance button[type="submit"]');
    const february = await expectShown('2026-02-01', '2026-02-28');
    expect(february.lineCount).toBeGreaterThan(monthToDate.lineCount);

    // As of each close, February's own statements (dated March 1st) are in February.
    await page.selectOption('#trial-balance-by', 'businessDay');
    await page.click('#form-trial-balance button[type="submit"]');
    await page.waitForSelector('table[data-table="trial-balance"][data-range="2026-02-01/2026-02-28"][data-date-by="businessDay"]');
    const asOfClose = await dashboard.api<TrialBalanceView>('/portfolio/trial-balance?from=2026-02-01&to=2026-02-28&dateBy=businessDay');
    expect(await rowsOf(page, 'trial-balance')).toEqual([
      ...asOfClose.trialBalance.map((r) => [label(LEDGER_ACCOUNT_LABELS, r.ledgerAccount), formatMoney(r.opening), formatMoney(r.debits), formatMoney(r.credits), formatMoney(r.closing)]),
      ['Total 合计', '', formatMoney(asOfClose.totals.debits), formatMoney(asOfClose.totals.credits), formatMoney(asOfClose.totals.closing)],
    ]);
    await expect(page.locator('#note-trial-balance').innerText()).resolves.toContain("as of each day's close (a month end's statements in its own month)");
    await expect(page.locator('#note-trial-balance').innerText()).resolves.toContain('Reconcile with ledger gl --by business-day');
    const interestIncome = (tb: TrialBalanceView) => tb.trialBalance.find((r) => r.ledgerAccount === 'INTEREST_INCOME')!.credits;
    expect(interestIncome(asOfClose)).not.toBe(interestIncome(february));
    await page.selectOption('#trial-balance-by', 'posting');
    await page.click('#form-trial-balance button[type="submit"]');

    // A failing read shows in the card, and the rest of the overview stays.
    const failing = /\/portfolio\/trial-balance$/;
    const trialBalanceReads = (url: URL) => failing.test(url.pathname);
    await page.route(trialBalanceReads, (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'INTERNAL', message: 'simulated failure' }) }));
    await refreshNow(page);
    await expect(page.locator('#table-trial-balance .notice.error').innerText()).resolves.toBe('Could not load the trial balance: simulated failure');
    expect(await figureOf(page, 'outstanding.total')).toEqual({ value: portfolio.outstanding.total, shown: formatMoney(portfolio.outstanding.total) });
    await expect(page.locator('#view-error').innerText()).resolves.toBe('');
    await page.unroute(trialBalanceReads);
    await refreshNow(page);
    await expectShown('2026-02-01', '2026-02-28');
    await expect(page.locator('#table-trial-balance .notice').count()).resolves.toBe(0);

    // Read models that do not follow the log (here a rebuild, as /health says): the figures shown balance
    // but may leave lines out, and the card says not to reconcile with them.
    const healthReads = (url: URL) => /^\/health$/.test(url.pathname);
    await page.route(healthReads, async (route) => {
      const answer = await route.fetch();
      const body = (await answer.json()) as { projections: { state: string } };
      await route.fulfill({ response: answer, json: { ...body, projections: { ...body.projections, state: 'rebuilding' } } });
    });
    await refreshNow(page);
    await expect(page.locator('#table-trial-balance .notice.warn').innerText()).resolves.toMatch(/^The read models are behind the log \(rebuilding or catching up\).*Do not reconcile with them/);
    await expect(page.locator('#note-trial-balance').innerText()).resolves.not.toContain('Reconcile with ledger gl');
    await page.unroute(healthReads);
    await refreshNow(page);
    await page.waitForSelector('#table-trial-balance .notice', { state: 'detached' });
    await expect(page.locator('#note-trial-balance').innerText()).resolves.toContain('Reconcile with ledger gl');

    // One date alone is refused in the card, not taken as the month to date.
    await page.fill('#trial-balance-from', '2026-03-01');
    await page.fill('#trial-balance-to', '');
    await page.click('#form-trial-balance button[type="submit"]');
    await expect(page.locator('#table-trial-balance .notice.error').innerText()).resolves.toBe('Give both dates, or clear both for the month to date of the last closed day.');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-trial-balance.png'), fullPage: true });
    const simulatedFailure = (m: { text: () => string; location: () => { url: string } }) => m.text().includes('status of 500') && failing.test(new URL(m.location().url).pathname);
    expect(unexpectedErrors(errors.filter((m) => !simulatedFailure(m)))).toEqual([]);
    expect(errors.filter(simulatedFailure).length).toBe(1);
  });

  it('shows the vintage curves and the latest month end’s roll rates as the API answers them, and says in its card when one cannot load', async () => {
    const [vintages, rolls] = await Promise.all([dashboard.api<VintagesView>('/portfolio/vintages'), dashboard.api<RollRatesView>('/portfolio/roll-rates')]);
    const { page, errors } = await dashboard.open('/dashboard', { clock: true });
    await page.waitForSelector('table[data-table="roll-rates"]');
    // Every cohort of the four simulated months, newest first, as it stood at the last month end.
    const cohorts = vintages.cohorts.slice(-12).reverse();
    expect(cohorts.length).toBeGreaterThanOrEqual(2);
    const latest = (c: VintagesView['cohorts'][number]) => c.monthEnds[c.monthEnds.length - 1];
    expect(await rowsOf(page, 'vintages')).toEqual(
      cohorts.map((c) => [c.cohort, String(latest(c).monthsOnBook), formatCount(latest(c).accounts), percentOf(latest(c).m1Plus.accounts, latest(c).accounts), percentOf(latest(c).m3Plus.accounts, latest(c).accounts)]),
    );
    await expect(page.locator('#chart-vintages canvas').count()).resolves.toBeGreaterThan(0);
    const summary = await page.locator('#chart-vintages').getAttribute('aria-label');
    for (const c of cohorts) expect(summary).toContain(`${c.cohort} ${percentOf(latest(c).m1Plus.accounts, latest(c).accounts)} at ${latest(c).monthsOnBook} months`);

    const month = rolls.months[rolls.months.length - 1];
    await expect(page.locator('table[data-table="roll-rates"]').getAttribute('data-month')).resolves.toBe(month.month);
    expect(await rowsOf(page, 'roll-rates')).toEqual(
      month.rows.map((r) => [r.from === 'NEW' ? 'New 新增' : label(BUCKET_LABELS, r.from), formatCount(r.accounts), ...r.to.map((c) => percentOf(c.accounts, r.accounts))]),
    );
    // The portfolio's M3 account rolled from M2 in the last month: a cell off the diagonal, its count and amount in its title.
    const rolled = month.rows.flatMap((r) => r.to.filter((c) => c.accounts > 0 && r.from !== 'NEW' && c.bucket !== r.from).map((c) => ({ row: r, cell: c })));
    expect(rolled.length).toBeGreaterThan(0);
    const { row, cell } = rolled[0];
    const titled = page.locator('table[data-table="roll-rates"] tbody tr').nth(month.rows.indexOf(row)).locator('td').nth(2 + row.to.indexOf(cell)).locator('span');
    const why = cell.byKind.MINIMUM_NOT_PAID + cell.byKind.DEFERRAL_LIMIT_REACHED > 0 ? `: ${formatCount(cell.byKind.MINIMUM_NOT_PAID)} a minimum not paid, ${formatCount(cell.byKind.DEFERRAL_LIMIT_REACHED)} carried past 90 days` : '';
    await expect(titled.getAttribute('title')).resolves.toBe(`${formatCount(cell.accounts)} of ${formatCount(row.accounts)} accounts, ${formatMoney(cell.outstanding)} owed${why}`);
    expect(unexpectedErrors(errors)).toEqual([]);

    // The roll rates cannot be read: their card says why, and the vintage curves still show.
    await page.route(`${dashboard.baseUrl}/portfolio/roll-rates**`, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'READ_MODELS_BEHIND', message: 'the read models are behind' }) }));
    await refreshNow(page);
    await expect(page.locator('#table-roll-rates .notice.error').innerText()).resolves.toBe('Could not load the roll rates: the read models are behind');
    await expect(page.locator('table[data-table="roll-rates"]').count()).resolves.toBe(0);
    expect(await rowsOf(page, 'vintages')).toHaveLength(cohorts.length);

    // A book older than a year: the card asks for the last twelve cohorts that have accounts, however long
    // ago the newest was approved, and says how many older ones the answer left out.
    const template = vintages.cohorts[0];
    const longBook: VintagesView = {
      ...vintages,
      cohorts: ['2024-03', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-04'].map((cohort) => ({ ...template, cohort })),
      olderCohorts: 2,
    };
    const asked: string[] = [];
    await page.route(`${dashboard.baseUrl}/portfolio/vintages**`, (route) => {
      asked.push(new URL(route.request().url()).search);
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(longBook) });
    });
    await refreshNow(page);
    await page.waitForSelector('#note-vintages .notice');
    expect(asked.at(-1)).toMatch(/^\?last=12(&|$)/);
    await expect(page.locator('#note-vintages .notice').innerText()).resolves.toBe('The last 12 approval months with accounts; 2 older cohorts are not drawn (GET /portfolio/vintages has every one).');
    expect((await rowsOf(page, 'vintages')).map((r) => r[0])).toEqual(longBook.cohorts.slice().reverse().map((c) => c.cohort));
  });

  it('shows the billed interest, penalty and fees per month and the APR of the installment offers', async () => {
    const { page, errors } = await dashboard.open('/dashboard#interest');
    await page.waitForSelector('table[data-table="apr"]');
    const billed = await rowsOf(page, 'billed');
    expect(billed).toEqual(
      [...portfolio.billedByMonth]
        .reverse()
        .map((m) => [
          m.month,
          formatCount(m.statements),
          formatMoney(m.interest),
          formatMoney(m.penaltyInterest),
          formatMoney(m.fees),
          formatMoney(new Dec(m.reversedInterest).plus(m.reversedPenaltyInterest).plus(m.reversedFees).toFixed(2)),
        ]),
    );
    // The demo's upheld disputes gave some interest back.
    expect(portfolio.billedByMonth.some((m) => new Dec(m.reversedInterest).isPositive())).toBe(true);
    // The net figures say which statements they sum.
    const months = portfolio.billedByMonth;
    await expect(page.locator('[data-figure="net.interest"] .figure-note').innerText()).resolves.toMatch(new RegExp(`^statements ${months[0].month} to ${months[months.length - 1].month}: billed `));
    expect(portfolio.billedByMonth.length).toBeGreaterThanOrEqual(3);

    const sample = (await dashboard.api<AccountPage>('/accounts?status=ACTIVE&limit=1')).items[0];
    const quotes = await Promise.all([3, 6, 12].map((n) => dashboard.api<InstallmentQuoteView>(`/accounts/${sample.accountId}/installment-quote?amount=1000.00&periods=${n}`)));
    const apr = await rowsOf(page, 'apr');
    expect(apr.map((r) => [r[0], r[3], r[5]])).toEqual(quotes.map((q) => [`${q.periods} 期`, formatMoney(q.totalFee), q.aprPercent]));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-interest.png'), fullPage: true });
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('shows the quarterly limit reviews per quarter and their reasons', async () => {
    const { page, errors } = await dashboard.open('/dashboard#reviews');
    await page.waitForSelector('table[data-table="reviews"]');
    await page.waitForSelector('table[data-table="review-reasons"]');
    const reviews = await rowsOf(page, 'reviews');
    expect(reviews).toEqual(
      portfolio.limitChangesByQuarter.map((q) => [q.quarter, formatCount(q.increased), formatCount(q.decreased), formatCount(q.unchanged), formatMoney(q.netLimitChange)]),
    );
    expect(portfolio.limitChangesByQuarter.map((q) => q.quarter)).toContain('2026-Q1');
    // A quarter is the one reviewed; its changes took effect on the first day of the next.
    await expect(page.locator('table[data-table="reviews"] th').first().innerText()).resolves.toBe('Quarter reviewed 考核季度');
    const reasons = [...portfolio.limitReviewReasons].sort(
      (a, b) =>
        b.quarter.localeCompare(a.quarter) || DECISION_ORDER.indexOf(a.decision) - DECISION_ORDER.indexOf(b.decision) || b.accounts - a.accounts || a.reason.localeCompare(b.reason),
    );
    expect(await rowsOf(page, 'review-reasons')).toEqual(reasons.map((r) => [r.quarter, label(DECISION_LABELS, r.decision), label(REASON_LABELS, r.reason), formatCount(r.accounts)]));
    expect(reasons.length).toBeGreaterThan(0);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('drills down to an account: balances, statements and their explanation, daily accrual, limit history', async () => {
    const active = await dashboard.api<AccountPage>('/accounts?status=ACTIVE&limit=50');
    let chosen: { accountId: string; statements: StatementView[] } | null = null;
    for (const a of active.items) {
      const { statements } = await dashboard.api<{ statements: StatementView[] }>(`/accounts/${a.accountId}/statements`);
      // The simulated portfolio's upheld dispute lowered a minimum: that account shows both minimums.
      if (statements.length >= 2 && statements.some((s) => s.interest.charged !== '0.00') && statements.some((s) => s.minimumLoweredTo !== null)) {
        chosen = { accountId: a.accountId, statements };
        break;
      }
    }
    if (!chosen) throw new Error('the simulated portfolio has no account with interest-bearing statements and a minimum an upheld dispute lowered');
    const account = await dashboard.api<{ asOf: string; owed: { total: string }; available: string; penaltyDailyRate: string; penaltyAnnualRate: string }>(`/accounts/${chosen.accountId}`);
    const lastClosed = addDays(account.asOf, -1);
    const accruals = await dashboard.api<AccrualsView>(`/accounts/${chosen.accountId}/accruals?from=${addDays(lastClosed, -30)}&to=${lastClosed}`);
    const { reviews } = await dashboard.api<{ reviews: LimitReviewView[] }>(`/accounts/${chosen.accountId}/limit-reviews`);

    const { page, errors } = await dashboard.open('/dashboard#accounts');
    await page.waitForSelector('table[data-table="accounts"]');
    await page.fill('#search-id', chosen.accountId);
    await page.click('#search-form button');
    await page.waitForSelector('table[data-table="accruals"]');
    // The timeline is audit data: a viewer is offered it and sends no request it would be refused.
    await page.waitForSelector('[data-show-timeline]');

    expect(await figureOf(page, 'account.owed')).toEqual({ value: account.owed.total, shown: formatMoney(account.owed.total) });
    expect((await figureOf(page, 'account.available')).value).toBe(account.available);
    await expect(page.locator('[data-figure="account.rate"] .figure-note').innerText()).resolves.toContain(
      `penalty ${formatRate(account.penaltyDailyRate)} a day (annual ${formatRate(account.penaltyAnnualRate, 2)})`,
    );
    const statements = await rowsOf(page, 'statements');
    const minimumShown = (s: StatementView) => (s.minimumLoweredTo === null ? formatMoney(s.minimumRepayment) : `${formatMoney(s.minimumLoweredTo)} (was ${formatMoney(s.minimumRepayment)})`);
    expect(statements.map((r) => [r[0], r[3], r[5], r[8], r[9], r[10], r[11], r[13]])).toEqual(
      [...chosen.statements]
        .reverse()
        .map((s) => [s.statementId, `${formatRate(s.dailyRate)} (${formatRate(s.annualRate, 2)})`, formatMoney(s.interest.charged), formatMoney(s.statementBalance), minimumShown(s), formatMoney(s.paid.repayments), formatMoney(s.repaidSinceIssue), s.status]),
    );
    await expect(page.locator('[data-explain]').count()).resolves.toBe(chosen.statements.length);
    const accrualRows = await rowsOf(page, 'accruals');
    expect(accrualRows.map((r) => [r[0], r[3], r[6]])).toEqual([...accruals.days].reverse().map((d) => [d.date, d.interest, d.penaltyInterest]));
    expect(accrualRows.length).toBe(31);
    await expect(page.locator('table[data-table="limit-reviews"] tbody tr').count()).resolves.toBe(reviews.length);

    const explained = chosen.statements[chosen.statements.length - 1];
    await page.click(`[data-explain="${explained.statementId}"]`);
    await page.waitForSelector('table[data-table="explanation"]');
    const explanation = await rowsOf(page, 'explanation');
    expect(explanation.map((r) => [r[3], r[4], r[6]])).toEqual([
      [formatMoney(explained.interest.reversed), formatMoney(explained.interest.charged), '✓'],
      [formatMoney(explained.penaltyInterest.reversed), formatMoney(explained.penaltyInterest.charged), '✓'],
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-account.png'), fullPage: true });
    expect(errors.map((m) => m.text())).toEqual([]);
  });

  it("shows an account's next statement so far and its installment plans as the API answers them, keeps them current on refresh, and says in its card when one cannot load", async () => {
    const { items } = await dashboard.api<AccountPage>('/accounts?status=ACTIVE&limit=500');
    let chosen: { account: AccountView; next: NextStatementView; plans: InstallmentPlansView['plans'] } | null = null;
    for (const account of items) {
      const { plans } = await dashboard.api<InstallmentPlansView>(`/accounts/${account.accountId}/installments`);
      if (!plans.some((p) => p.status === 'ACTIVE')) continue;
      const next = await dashboard.api<NextStatementView>(`/accounts/${account.accountId}/next-statement`);
      // Interest building in the cycle, and a plan's period to bill on it.
      if (new Dec(next.interest.exact).isPositive() && next.installmentPeriods.length > 0) {
        chosen = { account, next, plans };
        break;
      }
    }
    if (!chosen) throw new Error('the simulated portfolio has no account with an active installment plan and interest accruing in its cycle');
    const { account, next, plans } = chosen;
    const { page, errors } = await dashboard.open(`/dashboard#account/${account.accountId}`, { clock: true });
    await page.waitForSelector('table[data-table="installment-plans"]');
    await page.waitForSelector('table[data-table="accruals"]');

    const money = (value: string) => ({ value, shown: formatMoney(value) });
    const expectNextStatementShown = async () => {
      expect(await figureOf(page, 'next.month')).toEqual({ value: next.statementId, shown: next.statementId });
      await expect(page.locator('[data-figure="next.month"] .figure-note').innerText()).resolves.toBe(`period ${next.periodFrom} – ${next.accruedThrough} so far`);
      expect(await figureOf(page, 'next.interest')).toEqual(money(next.interest.charged));
      expect(await figureOf(page, 'next.penalty')).toEqual(money(next.penaltyInterest.charged));
      expect(await figureOf(page, 'next.revolving')).toEqual(money(next.revolvingPrincipal));
      expect(await figureOf(page, 'next.fees')).toEqual(money(next.fees));
      expect(await figureOf(page, 'next.previous')).toEqual(money(next.previousBalance));
      expect(await figureOf(page, 'next.balance')).toEqual(money(next.statementBalance));
      expect(await figureOf(page, 'next.minimum')).toEqual(money(next.minimumRepayment));
      expect(await figureOf(page, 'next.due')).toEqual({ value: next.dueDate, shown: next.dueDate });
      expect(await rowsOf(page, 'next-installments')).toEqual(next.installmentPeriods.map((p) => [p.planId, String(p.period), formatMoney(p.principal), formatMoney(p.fee)]));
    };
    const planStatus = (p: InstallmentPlansView['plans'][number]) => `${label(PLAN_STATUS_LABELS, p.status)}${p.endReason === null ? '' : ` ${label(PLAN_END_LABELS, p.endReason)} on ${p.endedOn}`}`;
    const payoff = (p: InstallmentPlansView['plans'][number]) =>
      p.payoffToday === null ? ['—', '—', '—'] : [formatMoney(p.payoffToday.principalAccelerated), formatMoney(p.payoffToday.feeKept), formatMoney(p.payoffToday.feesWaived)];
    const plansExpected = plans.map((p) => [
      p.planId,
      p.createdOn,
      formatMoney(p.principal),
      `${p.periodsBilled} / ${p.periodsLeft} of ${p.periods}`,
      `${formatMoney(p.billed.principal)} + ${formatMoney(p.billed.fees)}`,
      `${formatMoney(p.toBill.principal)} + ${formatMoney(p.toBill.fees)}`,
      planStatus(p),
      ...payoff(p),
    ]);
    await expectNextStatementShown();
    await expect(page.locator('[data-note="next-statement"]').innerText()).resolves.toMatch(/^Interest keeps accruing daily until the month end closes .*, and this statement bills it even if everything owed is repaid today\.$/);
    expect(await rowsOf(page, 'installment-plans')).toEqual(plansExpected);

    // Every table of the two cards scrolls inside its own wrapper, and the page is never wider than the window.
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      expect([width, await pageFits(page)]).toEqual([width, true]);
      const shown = (await tablesShown(page)).filter((t) => t.table === 'next-installments' || t.table === 'installment-plans');
      expect(shown.map((t) => [width, t.table, t.wrapped, t.scrolls])).toEqual([[width, 'next-installments', true, true], [width, 'installment-plans', true, true]]);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-account-plans.png'), fullPage: true });

    // A refresh that cannot read them says so in each card, and leaves the rest of the account and the explanation opened as they were.
    const explained = (await dashboard.api<{ statements: StatementView[] }>(`/accounts/${account.accountId}/statements`)).statements.at(-1)!;
    await page.click(`[data-explain="${explained.statementId}"]`);
    await page.waitForSelector('table[data-table="explanation"]');
    const failing = /\/accounts\/[^/]+\/(next-statement|installments)$/;
    await page.route(failing, (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'INTERNAL', message: 'simulated failure' }) }));
    await refreshNow(page);
    await expect(page.locator('#account-next-statement .notice.error').innerText()).resolves.toBe('Could not load the next statement: simulated failure');
    await expect(page.locator('#account-installments .notice.error').innerText()).resolves.toBe('Could not load the installment plans: simulated failure');
    expect(await figureOf(page, 'account.owed')).toEqual(money(account.owed.total));
    await expect(page.locator('table[data-table="explanation"]').count()).resolves.toBe(1);
    await expect(page.locator('#view-error').innerText()).resolves.toBe('');

    // Once they answer again, the next refresh draws both cards again, in place.
    await page.unroute(failing);
    await refreshNow(page);
    await expectNextStatementShown();
    expect(await rowsOf(page, 'installment-plans')).toEqual(plansExpected);
    await expect(page.locator('table[data-table="explanation"]').count()).resolves.toBe(1);
    const simulatedFailure = (m: { text: () => string; location: () => { url: string } }) => m.text().includes('status of 500') && failing.test(new URL(m.location().url).pathname);
    expect(unexpectedErrors(errors.filter((m) => !simulatedFailure(m)))).toEqual([]);
    expect(errors.filter(simulatedFailure).length).toBe(2);
  });

  it('fits every money table in its card at 1,280 and 1,440 px, and the wide tables of an account scroll inside their own wrapper, never the page', async () => {
    const { items } = await dashboard.api<AccountPage>('/accounts?status=ACTIVE&limit=1');
    const { page, errors } = await dashboard.open('/dashboard');
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 720 });
      for (const [hash, ready] of [['#overview', 'roll-rates'], ['#interest', 'apr'], ['#reviews', 'review-reasons'], [`#account/${items[0].accountId}`, 'accruals']]) {
        await page.evaluate((h) => (location.hash = h), hash);
        await page.waitForSelector(`table[data-table="${ready}"]`);
        const shown = await tablesShown(page);
        expect(shown.length).toBeGreaterThan(0);
        // The page itself never scrolls sideways.
        expect([width, hash, await pageFits(page)]).toEqual([width, hash, true]);
        for (const t of shown) {
          expect([width, t.table, t.wrapped, t.scrolls]).toEqual([width, t.table, true, true]);
          // The portfolio views' money tables show every figure whole; an account's fifteen statement columns may scroll.
          if (!hash.startsWith('#account/')) expect([width, t.table, t.fits]).toEqual([width, t.table, true]);
        }
      }
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-account-${width}.png`), fullPage: true });
    }
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('asks for an API key when the API answers 401, and shows the figures once a viewer key is entered', async () => {
    const { page, errors } = await dashboard.open('/dashboard', { key: null });
    await page.waitForSelector('#key-form:not([hidden])');
    await expect(page.locator('[data-figure="outstanding.total"]').count()).resolves.toBe(0);
    await page.fill('#key-input', VIEWER_KEY);
    await page.click('#key-form button');
    await page.waitForSelector('[data-figure="outstanding.total"]');
    expect((await figureOf(page, 'outstanding.total')).value).toBe(portfolio.outstanding.total);
    await expect(page.evaluate(() => localStorage.getItem('ledger.apiKey'))).resolves.toBe(VIEWER_KEY);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.filter((m) => !m.text().includes('status of 401'))).toEqual([]);
  });

  it('opens the M3+ bucket from the overview and from the bucket filter, in place of the list shown before', async () => {
    const [current, m3, m3plus] = await Promise.all([listExpected('status=ACTIVE&bucket=CURRENT'), listExpected('status=ACTIVE&bucket=M3'), listExpected('status=ACTIVE&bucket=M3%2B')]);
    // The simulated portfolio has no account past 90 days: the bucket's list says so, in place of the list before.
    expect(m3plus).toEqual([NO_MATCH]);
    const { page, errors } = await dashboard.open('/dashboard#accounts?status=ACTIVE&bucket=CURRENT');
    expect(await listShown(page, current)).toEqual(current);
    // The pager says of how many the filters select, to check against the bucket's count.
    const { total } = await dashboard.api<AccountPage>('/accounts?status=ACTIVE&bucket=CURRENT&limit=25');
    await expect(page.locator('[data-pager="range"]').innerText()).resolves.toBe(`1–${formatCount(current.length)} of ${formatCount(total)}`);

    await page.click('#tab-overview');
    await page.click('table[data-table="delinquency"] a[href="#accounts?status=ACTIVE&bucket=M3%2B"]');
    expect(await listShown(page, m3plus)).toEqual(m3plus);
    await expect(page.locator('#filter-bucket').inputValue()).resolves.toBe('M3+');

    await page.selectOption('#filter-bucket', 'M3');
    expect(await listShown(page, m3)).toEqual(m3);
    await page.selectOption('#filter-bucket', 'M3+');
    expect(await listShown(page, m3plus)).toEqual(m3plus);
    await expect(page.evaluate(() => location.hash)).resolves.toBe('#accounts?status=ACTIVE&bucket=M3%2B');
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('says the figures are stale when the server cannot be reached, and a list that cannot load is an error, not the old list', async () => {
    const { page } = await dashboard.open('/dashboard#accounts?status=ACTIVE&bucket=CURRENT', { clock: true });
    await page.waitForSelector('table[data-table="accounts"]');
    await expect(page.locator('[data-status="health"] strong').innerText()).resolves.toBe('ok');
    await page.route(`${dashboard.baseUrl}/**`, (route) => (route.request().resourceType() === 'fetch' ? route.abort('connectionrefused') : route.continue()));
    await refreshNow(page);

    await expect(page.locator('[data-status="health"] strong').innerText()).resolves.toBe('unreachable');
    await expect(page.locator('[data-status="health"]').getAttribute('class')).resolves.toContain('error');
    await expect(page.locator('[data-status="refreshed"]').innerText()).resolves.toMatch(/^Last refreshed .* figures stale$/);
    await expect(page.locator('#refresh-error').innerText()).resolves.toMatch(/^Refresh failed at .*the server is unreachable.*may be stale\.$/);

    await page.evaluate(() => {
      location.hash = 'accounts?status=ACTIVE&bucket=M1';
    });
    await page.waitForSelector('#account-list .notice.error', { timeout: 5_000 });
    await expect(page.locator('#account-list').innerText()).resolves.toMatch(/^Could not load the accounts/);
    await expect(page.locator('table[data-table="accounts"]').count()).resolves.toBe(0);
  });

  it('names the page and each view in headings, describes each chart in words, and marks the tab shown', async () => {
    const { page, errors } = await dashboard.open('/dashboard');
    // allInnerTexts does not wait for an element, so a missing one fails here at once.
    await expect(page.locator('h1').allInnerTexts()).resolves.toEqual(['Credit ledger 分付账本']);
    await expect(page.locator('#view-overview h2').allInnerTexts()).resolves.toEqual(['Portfolio 资产概览']);
    await expect(page.locator('#refresh-error').getAttribute('role')).resolves.toBe('alert');
    const tabs = () => page.locator('nav a').evaluateAll((links) => links.map((a) => [a.id, a.getAttribute('aria-current')]));
    await expect(tabs()).resolves.toEqual([['tab-overview', 'page'], ['tab-interest', null], ['tab-reviews', null], ['tab-accounts', null]]);
    const charts = await page.locator('#view-overview .chart').evaluateAll((els) => els.map((c) => [c.id, c.getAttribute('role'), c.getAttribute('aria-label')]));
    expect(charts.length).toBe(7);
    for (const [, role, summary] of charts) {
      expect(role).toBe('img');
      expect(summary).toMatch(/^[A-Z][^:]*: .*\.$/);
    }
    expect(Object.fromEntries(charts.map(([id, , summary]) => [id, summary]))['chart-status']).toContain(`Active 已开通 ${formatCount(portfolio.accountsByStatus.ACTIVE)}`);

    await page.click('#tab-interest');
    await page.waitForSelector('table[data-table="billed"]');
    await expect(page.locator('#view-interest h2').allInnerTexts()).resolves.toEqual(['Interest & fees 利息与费用']);
    await expect(tabs()).resolves.toEqual([['tab-overview', null], ['tab-interest', 'page'], ['tab-reviews', null], ['tab-accounts', null]]);
    await expect(page.locator('#chart-billed').getAttribute('aria-label')).resolves.toMatch(/^Billed per statement month/);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('shows on an account what stops it drawing: a frozen account gets its badge, a current one none', async () => {
    const { items } = await dashboard.api<AccountPage>('/accounts?status=ACTIVE&limit=500');
    const frozen = items.find((a) => a.flags.frozen && !a.flags.suspended && !a.flags.paymentLocked);
    if (!frozen) throw new Error('the simulated portfolio has no frozen account');
    const current = items.find((a) => !a.flags.frozen && !a.flags.suspended && !a.flags.paymentLocked)!;
    const { page } = await dashboard.open(`/dashboard#account/${frozen.accountId}`);
    await page.waitForSelector('[data-figure="account.owed"]');
    await expect(page.locator('[data-flag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag')))).resolves.toEqual(['frozen']);
    const { page: other } = await dashboard.open(`/dashboard#account/${current.accountId}`);
    await other.waitForSelector('[data-figure="account.owed"]');
    await expect(other.locator('[data-flag]').count()).resolves.toBe(0);
  });

  it('shows an auditor the event timeline and replays the account to an event', async () => {
    const { items } = await dashboard.api<AccountPage>('/accounts?status=ACTIVE&limit=1');
    const accountId = items[0].accountId;
    const events = await dashboard.ledger.app.get(EventStore).readStream(accountStream(accountId));
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['ApplicationSubmitted', 'ApplicationApproved']);
    expect(events[1].metadata.recordedAt).toBe(events[0].metadata.recordedAt);
    const { page, errors } = await dashboard.open(`/dashboard#account/${accountId}`, { key: AUDITOR_KEY });
    await page.click('[data-show-timeline]');
    await page.waitForSelector('table[data-table="timeline"]');
    await expect(page.locator('table[data-table="timeline"] th').allInnerTexts()).resolves.toEqual(expect.arrayContaining(['Business day (or day closed) 业务日', 'Recorded (UTC) 记录时间']));
    const timeline = await rowsOf(page, 'timeline');
    expect(timeline[timeline.length - 1][3]).toBe('ApplicationSubmitted');
    // The two events of the opening command share their millisecond; a replay to an event tells them apart.
    const replayTo = async (revision: string) => {
      await page.locator(`[data-replay="${revision}"]`).click();
      await page.waitForSelector(`[data-replay-result="${revision}"]`);
      return JSON.parse(await page.locator('[data-replay-result]').innerText()) as { status: string };
    };
    expect((await replayTo('1')).status).toBe('APPROVED');
    expect((await replayTo('0')).status).toBe('NONE');
    await expect(page.locator('h5', { hasText: 'State after event #0 (ApplicationSubmitted' }).count()).resolves.toBe(1);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  // It adds an applicant, rejected twice: the funnel the specs above compare changes; the one below looks at no rejection.
  it("shows why a rejected account's application was refused and the day it may reapply from, and no statement to come", async () => {
    const { businessDate } = await dashboard.api<{ businessDate: string }>('/operations/clock');
    const first = await dashboard.ledger.http.post('/applications').send(application('1991-05-06', 907, { payScore: 580, paymentsLast6Months: 3 }));
    expect([first.status, first.body.decision]).toEqual([201, 'REJECTED']);
    const accountId = first.body.accountId as string;
    const rejection = async () => (await dashboard.api<AccountView>(`/accounts/${accountId}`)).rejection!;
    const before = await rejection();
    // Several reasons, so the page is seen to list every one.
    expect(before).toEqual({ reasons: expect.arrayContaining(['PAY_SCORE_TOO_LOW', 'INSUFFICIENT_ACTIVITY']), reapplyWaitFrom: businessDate });

    const { page, errors } = await dashboard.open(`/dashboard#account/${accountId}`, { clock: true });
    await page.waitForSelector('[data-section="rejection"]');
    const reasonsShown = page.locator('[data-section="rejection"] [data-reason]');
    const expectRejectionShown = async ({ reasons, reapplyWaitFrom }: NonNullable<AccountView['rejection']>) => {
      await expect(reasonsShown.evaluateAll((els) => els.map((e) => e.getAttribute('data-reason')))).resolves.toEqual(reasons);
      await expect(reasonsShown.allInnerTexts()).resolves.toEqual(reasons.map((r) => label(REASON_LABELS, r)));
      // PRODUCT.md §1: a new application is refused as too soon for 30 days after the rejection.
      const reapplyFrom = addDays(reapplyWaitFrom!, 30);
      await expect(page.locator('[data-reapply-from]').getAttribute('data-reapply-from')).resolves.toBe(reapplyFrom);
      await expect(page.locator('[data-section="rejection"]').innerText()).resolves.toContain(`May reapply from 可重新申请 ${reapplyFrom}: 30 days counted from the rejection of ${reapplyWaitFrom}`);
    };
    await expectRejectionShown(before);
    // A rejected account is never billed, so the page asks for no next statement (which would be a 422) and says why.
    await expect(page.locator('#account-next-statement').innerText()).resolves.toBe('No statement to come: the account is Rejected 已拒绝, and only an active account is billed.');
    await expect(page.locator('[data-figure^="next."]').count()).resolves.toBe(0);
    await expect(page.locator('#account-installments').innerText()).resolves.toMatch(/^No installment plans/);

    // Reapplying at once is refused as too soon, which leaves the wait counting from the first rejection; the refresh shows it.
    const again = await dashboard.ledger.http.post('/applications').send(application('1991-05-06', 907, { paymentsLast6Months: 3 }));
    expect([again.status, again.body.accountId, again.body.reasons]).toEqual([201, accountId, expect.arrayContaining(['REAPPLY_TOO_SOON', 'INSUFFICIENT_ACTIVITY'])]);
    const after = await rejection();
    expect(after.reasons).not.toEqual(before.reasons);
    await refreshNow(page);
    await expectRejectionShown(after);
    await expect(page.locator('[data-section="rejection"]').innerText()).resolves.toContain('(this one, for reapplying too soon, does not restart them)');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-account-rejected.png'), fullPage: true });
    expect(errors.map((m) => m.text())).toEqual([]);
  });

  // Last: it moves the business clock and closes days, so the figures the specs above compare change.
  it('warns of business days the clock has passed unclosed, and re-draws the filtered accounts list on refresh once they close', async () => {
    const clock = await dashboard.api<{ businessDate: string }>('/operations/clock');
    const lastClosed = portfolio.lastClosedBusinessDay!;
    expect(clock.businessDate).toBe(addDays(lastClosed, 1));
    const before = await listExpected('status=ACTIVE&bucket=M3');
    const { page, errors } = await dashboard.open('/dashboard#accounts?status=ACTIVE&bucket=M3', { clock: true });
    expect(await listShown(page, before)).toEqual(before);
    await expect(page.locator('[data-status="unclosed"]').count()).resolves.toBe(0);

    // The clock moves eight days on and no end of day runs.
    await dashboard.ledger.setClock(`${addDays(clock.businessDate, 8)}T09:00:00+08:00`);
    await refreshNow(page);
    await expect(page.locator('[data-status="unclosed"] strong').allInnerTexts()).resolves.toEqual([`8 business days not closed (last closed ${lastClosed})`]);
    await expect(page.locator('[data-status="unclosed"]').getAttribute('class')).resolves.toContain('warn');

    // Closing them takes the portfolio's one M3 account past 90 days: the M3 list changes under the page.
    await dashboard.ledger.closeDays(clock.businessDate, addDays(clock.businessDate, 7));
    const after = await listExpected('status=ACTIVE&bucket=M3');
    expect(after).not.toEqual(before);
    await refreshNow(page);
    expect(await listShown(page, after)).toEqual(after);
    await expect(page.locator('[data-status="unclosed"]').count()).resolves.toBe(0);
    await expect(page.locator('#filter-bucket').inputValue()).resolves.toBe('M3');
    expect(unexpectedErrors(errors)).toEqual([]);
  });
});
