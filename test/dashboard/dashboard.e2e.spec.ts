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
import type { AccountPage, AccrualsView, LimitReviewView, PortfolioView, StatementView } from '@ledger/projections';
import type { InstallmentQuoteView } from '../../apps/ledger-api/src/read-side/installment-quote.query';
import { addDays, formatCount, formatMoney, formatRate, percentOf } from '../../apps/ledger-api/dashboard/format';
import { DECISION_LABELS, label, REASON_LABELS } from '../../apps/ledger-api/dashboard/labels';
import { AUDITOR_KEY, type DashboardFixture, startDashboard, unexpectedErrors, VIEWER_KEY } from './dashboard-fixture';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const OVERDUE_BUCKETS = ['M1', 'M2', 'M3', 'M3+'];
const DECISION_ORDER = ['INCREASED', 'DECREASED', 'UNCHANGED'];

async function figureOf(page: Page, name: string): Promise<{ value: string | null; shown: string }> {
  const figure = page.locator(`[data-figure="${name}"]`);
  return { value: await figure.getAttribute('data-value'), shown: (await figure.locator('.figure-value').innerText()).trim() };
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
    expect(delinquency.map((r) => [r[1], r[2], r[3]])).toEqual(
      portfolio.delinquency.map((d) => [
        `${formatCount(d.accounts)} (${percentOf(d.accounts, portfolio.exposure.accounts)})`,
        `${formatMoney(d.outstanding)} (${percentOf(d.outstanding, portfolio.outstanding.total)})`,
        formatMoney(d.overdue),
      ]),
    );
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
    await expect(page.locator('#view-overview .notice').count()).resolves.toBe(0);
    const statuses = await rowsOf(page, 'status');
    expect(statuses.map((r) => r[1]).sort()).toEqual(Object.values(portfolio.accountsByStatus).map(formatCount).sort());
    const submitted = Object.values(portfolio.funnel.byChannel).reduce((n, c) => n + c.submitted, 0);
    expect((await figureOf(page, 'funnel.submitted')).value).toBe(String(submitted));

    await expect(page.locator('[data-status="business-date"] strong').innerText()).resolves.toBe(clock.businessDate);
    await expect(page.locator('[data-status="lag"] strong').innerText()).resolves.toMatch(/^\d[\d,]* events$/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(unexpectedErrors(errors)).toEqual([]);
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
          String(m.statements),
          formatMoney(m.interest),
          formatMoney(m.penaltyInterest),
          formatMoney(m.fees),
          formatMoney(new Dec(m.reversedInterest).plus(m.reversedPenaltyInterest).plus(m.reversedFees).toFixed(2)),
        ]),
    );
    // The demo's upheld disputes gave some interest back.
    expect(portfolio.billedByMonth.some((m) => new Dec(m.reversedInterest).isPositive())).toBe(true);
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
    const account = await dashboard.api<{ asOf: string; owed: { total: string }; available: string }>(`/accounts/${chosen.accountId}`);
    const lastClosed = addDays(account.asOf, -1);
    const accruals = await dashboard.api<AccrualsView>(`/accounts/${chosen.accountId}/accruals?from=${addDays(lastClosed, -30)}&to=${lastClosed}`);
    const { reviews } = await dashboard.api<{ reviews: LimitReviewView[] }>(`/accounts/${chosen.accountId}/limit-reviews`);

    const { page, errors } = await dashboard.open('/dashboard#accounts');
    await page.waitForSelector('table[data-table="accounts"]');
    await page.fill('#search-id', chosen.accountId);
    await page.click('#search-form button');
    await page.waitForSelector('table[data-table="accruals"]');
    await page.waitForSelector('#account-timeline > *');

    expect(await figureOf(page, 'account.owed')).toEqual({ value: account.owed.total, shown: formatMoney(account.owed.total) });
    expect((await figureOf(page, 'account.available')).value).toBe(account.available);
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
      [explained.interest.reversed, formatMoney(explained.interest.charged), '✓'],
      [explained.penaltyInterest.reversed, formatMoney(explained.penaltyInterest.charged), '✓'],
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-account.png'), fullPage: true });
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
    await page.waitForSelector('table[data-table="timeline"]');
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
});
